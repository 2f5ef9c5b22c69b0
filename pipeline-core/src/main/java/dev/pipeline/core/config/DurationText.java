package dev.pipeline.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as people write them: seconds ({@code 90}), a number and a unit ({@code 500ms}, {@code
 * 30s}, {@code 10m}, {@code 2h}, {@code 1d}), or ISO-8601 ({@code PT1H30M}). Every command-line
 * option and environment variable of a duration reads it this way: registered with picocli by
 * {@code ServiceMain} and the CLI.
 */
public final class DurationText implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)?");

  /**
   * Reads a duration of zero or more.
   *
   * @throws IllegalArgumentException saying which forms are understood
   */
  public static Duration parse(String text) {
    String given = text.strip();
    Matcher numberAndUnit = NUMBER_AND_UNIT.matcher(given.toLowerCase(Locale.ROOT));
    if (numberAndUnit.matches()) {
      long amount = Long.parseLong(numberAndUnit.group(1));
      String unit = numberAndUnit.group(2) == null ? "s" : numberAndUnit.group(2);
      try {
        return switch (unit) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("a duration too long to hold: " + text);
      }
    }
    Duration iso;
    try {
      iso = Duration.parse(given);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a duration: give seconds (90), 500ms, 30s, 10m, 2h, 1d or ISO-8601 (PT1H30M)");
    }
    if (iso.isNegative()) {
      throw new IllegalArgumentException("a duration cannot be negative: " + text);
    }
    return iso;
  }

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}

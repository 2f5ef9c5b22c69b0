package dev.pipeline.core.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one line of a log in a known format into a {@link LogEvent}: JSON (the event's own fields;
 * {@code v}, {@code id} and {@code timestamp} may be left out), plain text, nginx's combined access
 * log, or syslog (RFC 3164 or 5424). A line that cannot be read throws {@link
 * InvalidMessageException} with the reason.
 */
public final class LogLines {
  /** The formats a line can be in. */
  public enum Format {
    JSON,
    PLAIN,
    NGINX,
    SYSLOG
  }

  /**
   * What a line does not say itself.
   *
   * @param id the event id to use when the line has none
   * @param service the service for formats that do not name one
   * @param host the host for formats that do not name one
   * @param now the timestamp for lines without one
   */
  public record Defaults(String id, String service, String host, Instant now) {}

  private static final MessageCodec CODEC = MessageCodec.standard();
  private static final Pattern NGINX =
      Pattern.compile(
          "^(\\S+) \\S+ (\\S+) \\[([^\\]]+)] \"([^\"]*)\" (\\d{3}) (\\d+|-)(?: \"([^\"]*)\" \"([^\"]*)\")?.*$");
  private static final DateTimeFormatter NGINX_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
  private static final Pattern SYSLOG_5424 =
      Pattern.compile("^<(\\d{1,3})>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (?:-|\\[.*?]) ?(.*)$");
  private static final Pattern SYSLOG_3164 =
      Pattern.compile(
          "^(?:<(\\d{1,3})>)?([A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d) (\\S+) ([^:\\[\\s]+)(?:\\[(\\d+)])?: ?(.*)$");
  private static final DateTimeFormatter SYSLOG_TIME =
      DateTimeFormatter.ofPattern("MMM d HH:mm:ss yyyy", Locale.ENGLISH);
  private static final Pattern LEVEL_WORD =
      Pattern.compile(
          "\\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|SEVERE)\\b",
          Pattern.CASE_INSENSITIVE);

  private LogLines() {}

  /** Returns the event on {@code line}, or throws with the reason it is not one. */
  public static LogEvent parse(String line, Format format, Defaults defaults) {
    if (line.isBlank()) {
      throw new InvalidMessageException("empty line");
    }
    return switch (format) {
      case JSON -> json(CODEC.parse(line), defaults);
      case PLAIN ->
          event(
              defaults,
              defaults.now(),
              defaults.service(),
              defaults.host(),
              levelIn(line),
              line,
              Map.of());
      case NGINX -> nginx(line, defaults);
      case SYSLOG -> syslog(line, defaults);
    };
  }

  /** Returns the event in a JSON object, filling in {@code v}, {@code id} and {@code timestamp}. */
  public static LogEvent json(JsonNode node, Defaults defaults) {
    if (!node.isObject()) {
      throw new InvalidMessageException(
          "expected a JSON object, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    ObjectNode event = ((ObjectNode) node).deepCopy();
    if (!event.has("v")) {
      event.put("v", 1);
    }
    if (!event.hasNonNull("id")) {
      event.put("id", defaults.id());
    }
    if (!event.hasNonNull("timestamp")) {
      event.put("timestamp", defaults.now().toString());
    }
    return CODEC.decode(event, LogEvent.class);
  }

  private static LogEvent nginx(String line, Defaults defaults) {
    Matcher m = NGINX.matcher(line);
    if (!m.matches()) {
      throw new InvalidMessageException("not an nginx combined log line");
    }
    Instant time;
    try {
      time = ZonedDateTime.parse(m.group(3), NGINX_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidMessageException("nginx time is not dd/MMM/yyyy:HH:mm:ss Z: " + m.group(3));
    }
    int status = Integer.parseInt(m.group(5));
    LogEvent.Level level =
        status >= 500
            ? LogEvent.Level.ERROR
            : status >= 400 ? LogEvent.Level.WARN : LogEvent.Level.INFO;
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("remote", m.group(1));
    attributes.put("status", m.group(5));
    attributes.put("bytes", m.group(6));
    if (m.group(8) != null) {
      attributes.put("agent", m.group(8));
    }
    return event(
        defaults,
        time,
        defaults.service(),
        defaults.host(),
        level,
        m.group(4) + " " + status,
        attributes);
  }

  private static LogEvent syslog(String line, Defaults defaults) {
    Matcher modern = SYSLOG_5424.matcher(line);
    if (modern.matches()) {
      Instant time;
      try {
        time = OffsetDateTime.parse(modern.group(2)).toInstant();
      } catch (DateTimeParseException e) {
        throw new InvalidMessageException("syslog time is not RFC 3339: " + modern.group(2));
      }
      return event(
          defaults,
          time,
          nil(modern.group(4), defaults.service()),
          nil(modern.group(3), defaults.host()),
          severity(modern.group(1)),
          modern.group(7),
          Map.of());
    }
    Matcher classic = SYSLOG_3164.matcher(line);
    if (classic.matches()) {
      Instant time;
      try {
        // RFC 3164 has no year: take this year's date in the local zone.
        time =
            LocalDateTime.parse(
                    classic.group(2).replaceAll(" +", " ") + " " + Year.now().getValue(),
                    SYSLOG_TIME)
                .atZone(ZoneId.systemDefault())
                .toInstant();
      } catch (DateTimeParseException e) {
        throw new InvalidMessageException("syslog time is not MMM d HH:mm:ss: " + classic.group(2));
      }
      LogEvent.Level level =
          classic.group(1) != null ? severity(classic.group(1)) : levelIn(classic.group(6));
      return event(
          defaults, time, classic.group(4), classic.group(3), level, classic.group(6), Map.of());
    }
    throw new InvalidMessageException("not a syslog line (RFC 3164 or 5424)");
  }

  private static String nil(String value, String fallback) {
    return value.equals("-") ? fallback : value;
  }

  /** Maps a syslog priority's severity (PRI mod 8) to a level. */
  private static LogEvent.Level severity(String priority) {
    int severity = Integer.parseInt(priority) % 8;
    if (severity <= 3) {
      return LogEvent.Level.ERROR;
    }
    return severity == 4
        ? LogEvent.Level.WARN
        : severity == 7 ? LogEvent.Level.DEBUG : LogEvent.Level.INFO;
  }

  /** Finds a level word in free text; INFO when there is none. */
  private static LogEvent.Level levelIn(String text) {
    Matcher m = LEVEL_WORD.matcher(text);
    if (!m.find()) {
      return LogEvent.Level.INFO;
    }
    return switch (m.group(1).toUpperCase(Locale.ROOT)) {
      case "TRACE" -> LogEvent.Level.TRACE;
      case "DEBUG" -> LogEvent.Level.DEBUG;
      case "INFO", "NOTICE" -> LogEvent.Level.INFO;
      case "WARN", "WARNING" -> LogEvent.Level.WARN;
      default -> LogEvent.Level.ERROR;
    };
  }

  private static LogEvent event(
      Defaults defaults,
      Instant time,
      String service,
      String host,
      LogEvent.Level level,
      String message,
      Map<String, String> attributes) {
    try {
      return new LogEvent(
          1, defaults.id(), time, service, host, level, message, null, null, attributes);
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException("invalid LogEvent: " + e.getMessage(), e);
    }
  }
}

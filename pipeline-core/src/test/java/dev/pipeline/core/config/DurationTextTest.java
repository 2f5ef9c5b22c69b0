package dev.pipeline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

class DurationTextTest {
  @Test
  void readsSecondsUnitsAndIso8601() {
    assertThat(DurationText.parse("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationText.parse(" 10M ")).isEqualTo(Duration.ofMinutes(10));
    assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationText.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(DurationText.parse("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationText.parse("pt20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(DurationText.parse("0")).isZero();
  }

  @Test
  void refusesWhatIsNotADurationSayingWhatIs() {
    for (String bad : new String[] {"", "forever", "10x", "1.5h", "m", "-5s", "10 m"}) {
      assertThatThrownBy(() -> DurationText.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "'"
                  + bad
                  + "' is not a duration: give seconds (90), 500ms, 30s, 10m, 2h, 1d or ISO-8601 (PT1H30M)");
    }
    assertThatThrownBy(() -> DurationText.parse("PT-5S"))
        .hasMessage("a duration cannot be negative: PT-5S");
    assertThatThrownBy(() -> DurationText.parse("999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duration too long to hold: 999999999999999d");
  }

  static final class Command {
    @Option(names = "--timeout", defaultValue = "PT1H")
    Duration timeout = Duration.ZERO;
  }

  @Test
  void picocliReadsOptionsAndDefaultsWithItAndSaysWhyAValueIsBad() {
    Command command = new Command();
    CommandLine cli =
        new CommandLine(command).registerConverter(Duration.class, new DurationText());
    cli.parseArgs("--timeout", "10m");
    assertThat(command.timeout).isEqualTo(Duration.ofMinutes(10));
    cli.parseArgs();
    assertThat(command.timeout).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> cli.parseArgs("--timeout", "10x"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("'10x' is not a duration");
  }
}

package dev.pipeline.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.core.message.LogLines.Format;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogLinesTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final LogLines.Defaults DEFAULTS =
      new LogLines.Defaults("id-1", "app", "box", NOW);

  @Test
  void jsonLineFillsInIdTimestampAndVersion() {
    LogEvent event =
        LogLines.parse(
            "{\"service\":\"api\",\"host\":\"h\",\"level\":\"WARN\",\"message\":\"m\"}",
            Format.JSON,
            DEFAULTS);
    assertThat(event.id()).isEqualTo("id-1");
    assertThat(event.timestamp()).isEqualTo(NOW);
    assertThat(event.level()).isEqualTo(LogEvent.Level.WARN);
  }

  @Test
  void jsonLineKeepsItsOwnIdAndRefusesAMissingField() {
    assertThat(
            LogLines.parse(
                    "{\"id\":\"own\",\"service\":\"api\",\"host\":\"h\",\"level\":\"INFO\",\"message\":\"m\"}",
                    Format.JSON,
                    DEFAULTS)
                .id())
        .isEqualTo("own");
    assertThatThrownBy(
            () ->
                LogLines.parse(
                    "{\"service\":\"api\",\"host\":\"h\",\"message\":\"m\"}",
                    Format.JSON,
                    DEFAULTS))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("invalid LogEvent: level is required");
    assertThatThrownBy(() -> LogLines.parse("{oops", Format.JSON, DEFAULTS))
        .hasMessageStartingWith("not valid JSON");
  }

  @Test
  void plainLineTakesItsLevelFromAWord() {
    LogEvent event =
        LogLines.parse("2026-11-27 disk almost full WARNING on /var", Format.PLAIN, DEFAULTS);
    assertThat(event.level()).isEqualTo(LogEvent.Level.WARN);
    assertThat(event.service()).isEqualTo("app");
    assertThat(event.message()).isEqualTo("2026-11-27 disk almost full WARNING on /var");
    assertThat(LogLines.parse("just text", Format.PLAIN, DEFAULTS).level())
        .isEqualTo(LogEvent.Level.INFO);
  }

  @Test
  void nginxCombinedLineGivesTimeStatusLevelAndAttributes() {
    LogEvent event =
        LogLines.parse(
            "10.0.0.7 - bob [27/Nov/2026:13:55:36 +0100] \"GET /index.html HTTP/1.1\" 503 2326 \"http://ref/\" \"curl/8.0\"",
            Format.NGINX,
            DEFAULTS);
    assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-11-27T12:55:36Z"));
    assertThat(event.level()).isEqualTo(LogEvent.Level.ERROR);
    assertThat(event.message()).isEqualTo("GET /index.html HTTP/1.1 503");
    assertThat(event.attributes())
        .containsEntry("remote", "10.0.0.7")
        .containsEntry("bytes", "2326")
        .containsEntry("agent", "curl/8.0");
    assertThatThrownBy(() -> LogLines.parse("not nginx at all", Format.NGINX, DEFAULTS))
        .hasMessage("not an nginx combined log line");
  }

  @Test
  void syslogLinesInBothRfcs() {
    LogEvent modern =
        LogLines.parse(
            "<11>1 2026-11-27T12:00:01.5Z web01 nginx 42 - - upstream timed out",
            Format.SYSLOG,
            DEFAULTS);
    assertThat(modern.level()).isEqualTo(LogEvent.Level.ERROR);
    assertThat(modern.host()).isEqualTo("web01");
    assertThat(modern.service()).isEqualTo("nginx");
    assertThat(modern.message()).isEqualTo("upstream timed out");
    assertThat(modern.timestamp()).isEqualTo(Instant.parse("2026-11-27T12:00:01.5Z"));
    LogEvent classic =
        LogLines.parse(
            "<36>Nov  7 09:15:02 db1 postgres[811]: checkpoint starting", Format.SYSLOG, DEFAULTS);
    assertThat(classic.level()).isEqualTo(LogEvent.Level.WARN);
    assertThat(classic.service()).isEqualTo("postgres");
    assertThat(classic.host()).isEqualTo("db1");
    LogEvent noPriority =
        LogLines.parse(
            "Nov 27 15:04:10 box sshd[99]: error: maximum authentication attempts",
            Format.SYSLOG,
            DEFAULTS);
    assertThat(noPriority.level()).isEqualTo(LogEvent.Level.ERROR);
    assertThatThrownBy(() -> LogLines.parse("hello", Format.SYSLOG, DEFAULTS))
        .hasMessage("not a syslog line (RFC 3164 or 5424)");
  }

  @Test
  void blankLineIsInvalid() {
    assertThatThrownBy(() -> LogLines.parse("   ", Format.PLAIN, DEFAULTS))
        .hasMessage("empty line");
  }
}

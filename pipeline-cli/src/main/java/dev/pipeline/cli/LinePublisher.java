package dev.pipeline.cli;

import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.LogLines;
import dev.pipeline.core.runtime.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes lines of a log (a file or standard input) as events; a line it cannot read goes to
 * {@code TOPIC.dlq} with the reason, and the first few are also reported on stderr.
 */
final class LinePublisher {
  private static final int REPORTED_INVALID_LINES = 10;

  private final Sender sender;
  private final String topic;
  private final LogLines.Format format;
  private final String service;
  private final String host;
  private long invalid;

  LinePublisher(Sender sender, String topic, LogLines.Format format, String service, String host) {
    this.sender = sender;
    this.topic = topic;
    this.format = format;
    this.service = service;
    this.host = host;
  }

  /**
   * Sends one line; the future completes when Kafka has it (as an event or a dead letter). Blank
   * lines are skipped.
   *
   * @param where the line's name in messages, such as {@code app.log:12}
   */
  CompletableFuture<?> publish(
      String text, byte[] raw, String id, DeadLetter.Origin origin, String where) {
    if (text.isBlank()) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      LogEvent event =
          LogLines.parse(text, format, new LogLines.Defaults(id, service, host, Instant.now()));
      return sender.send(topic, event.source(), event);
    } catch (InvalidMessageException e) {
      if (++invalid <= REPORTED_INVALID_LINES) {
        System.err.println(where + ": " + e.getMessage() + " (sent to " + topic + ".dlq)");
      }
      return sender.sendRaw(
          DeadLetter.of(
              topic,
              id.getBytes(StandardCharsets.UTF_8),
              raw,
              List.of(),
              e,
              origin,
              1,
              "pipeline-cli"));
    }
  }

  /** Returns how many lines could not be read. */
  long invalid() {
    return invalid;
  }

  /** Prints how many lines went to the dead-letter topic, if any did. */
  void printSummary() {
    if (invalid > 0) {
      System.out.printf(
          Locale.ROOT,
          "%,d line(s) could not be read and went to %s.dlq with the reason.%n",
          invalid,
          topic);
    }
  }
}

package dev.pipeline.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.LogLines;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Turns a request body into log events and publishes them: one JSON event, a JSON array of events,
 * or NDJSON (one event per line). A client may leave out {@code v}, {@code id} (a random one is
 * given) and {@code timestamp} (now). Invalid entries are reported with their line (or array
 * position) and reason; the valid ones are still published.
 */
final class LogIngest {
  static final int MAX_EVENTS_PER_REQUEST = 100_000;

  private final Publisher publisher;
  private final String topic;
  private final MessageCodec codec = MessageCodec.standard();

  LogIngest(Publisher publisher, String topic) {
    this.publisher = publisher;
    this.topic = topic;
  }

  /** One entry that could not be accepted: its line (NDJSON) or 1-based array position, and why. */
  record Rejected(int line, String reason) {}

  /** What a body held. */
  record Parsed(List<LogEvent> events, List<Rejected> rejected) {}

  /** What happened to a request: how many events Kafka acknowledged and which were refused. */
  record Outcome(
      int accepted,
      List<Rejected> rejected,
      @org.jspecify.annotations.Nullable Throwable kafkaFailure) {}

  Parsed parse(String body) {
    List<LogEvent> events = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    String trimmed = body.strip();
    if (trimmed.isEmpty()) {
      throw new InvalidMessageException(
          "the request has no events: send a JSON event, a JSON array or NDJSON");
    }
    JsonNode whole = null;
    try {
      whole = codec.parse(trimmed);
    } catch (InvalidMessageException notOneDocument) {
      // Not a single JSON document: read it as NDJSON below.
    }
    if (whole != null && whole.isArray()) {
      for (int i = 0; i < whole.size(); i++) {
        accept(whole.get(i), i + 1, events, rejected);
      }
    } else if (whole != null && whole.isObject()) {
      accept(whole, 1, events, rejected);
    } else {
      String[] lines = body.split("\r?\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        try {
          accept(codec.parse(lines[i]), i + 1, events, rejected);
        } catch (InvalidMessageException e) {
          rejected.add(new Rejected(i + 1, e.getMessage()));
        }
      }
    }
    if (events.size() + rejected.size() > MAX_EVENTS_PER_REQUEST) {
      throw new InvalidMessageException(
          "the request has more than " + MAX_EVENTS_PER_REQUEST + " events; split it");
    }
    return new Parsed(events, rejected);
  }

  private void accept(JsonNode node, int line, List<LogEvent> events, List<Rejected> rejected) {
    try {
      events.add(
          LogLines.json(
              node, new LogLines.Defaults(UUID.randomUUID().toString(), "-", "-", Instant.now())));
    } catch (InvalidMessageException e) {
      rejected.add(new Rejected(line, e.getMessage()));
    }
  }

  /**
   * Publishes the events, keyed by source, and waits until Kafka has acknowledged or refused each.
   */
  Outcome publish(Parsed parsed) throws InterruptedException {
    List<CompletableFuture<?>> sends = new ArrayList<>(parsed.events().size());
    for (LogEvent event : parsed.events()) {
      sends.add(publisher.publish(topic, event.source(), event));
    }
    int accepted = 0;
    Throwable failure = null;
    for (CompletableFuture<?> send : sends) {
      try {
        send.get();
        accepted++;
      } catch (ExecutionException e) {
        failure = failure == null ? e.getCause() : failure;
      }
    }
    return new Outcome(accepted, parsed.rejected(), failure);
  }
}

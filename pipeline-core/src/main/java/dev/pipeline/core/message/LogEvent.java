package dev.pipeline.core.message;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One log line from a service on a host. Keyed by {@link #source()} on {@code logs.events}, so each
 * source's events stay in order.
 *
 * @param v schema version
 * @param id unique id; the store keys on it, so a redelivered event is stored once
 * @param timestamp when the event happened
 * @param service the service that logged it
 * @param host the host it ran on
 * @param level severity
 * @param message the text
 * @param traceId optional trace id tying events of one request together
 * @param latencyMs optional latency the event reports
 * @param attributes optional extra fields
 */
public record LogEvent(
    int v,
    String id,
    Instant timestamp,
    String service,
    String host,
    Level level,
    String message,
    @Nullable String traceId,
    @Nullable Long latencyMs,
    Map<String, String> attributes) {

  /** Severity of a log event. */
  public enum Level {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  public LogEvent {
    Fields.version(v);
    Fields.text(id, "id", Fields.MAX_ID);
    Fields.required(timestamp, "timestamp");
    Fields.text(service, "service", Fields.MAX_NAME);
    Fields.text(host, "host", Fields.MAX_NAME);
    Fields.required(level, "level");
    Fields.text(message, "message", Fields.MAX_TEXT);
    Fields.optionalText(traceId, "traceId", Fields.MAX_ID);
    if (latencyMs != null) {
      Fields.atLeast(latencyMs, 0L, "latencyMs");
    }
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    if (attributes.size() > 64) {
      throw new IllegalArgumentException(
          "attributes has more than 64 entries: " + attributes.size());
    }
  }

  /** Returns the Kafka key: the source whose order is kept. */
  public String source() {
    return service + "/" + host;
  }
}

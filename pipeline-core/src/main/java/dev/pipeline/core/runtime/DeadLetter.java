package dev.pipeline.core.runtime;

import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The dead-letter record format: the original key and bytes on {@code TOPIC.dlq}, the original
 * headers, and headers that say why it failed and where it came from.
 *
 * <pre>{@code
 * publisher.send(DeadLetter.of(topic, key, value, failure, DeadLetter.origin(topic, partition, offset), 1, "svc"));
 * }</pre>
 */
public final class DeadLetter {
  public static final String ERROR_CLASS = "dlq.error.class";
  public static final String REASON = "dlq.reason";
  public static final String ORIGIN_TOPIC = "dlq.origin.topic";
  public static final String ORIGIN_PARTITION = "dlq.origin.partition";
  public static final String ORIGIN_OFFSET = "dlq.origin.offset";
  public static final String ATTEMPTS = "dlq.attempts";
  public static final String SERVICE = "dlq.service";
  public static final String TIMESTAMP = "dlq.timestamp";

  private static final int MAX_REASON = 4096;

  private DeadLetter() {}

  /**
   * Where a dead letter came from: a topic partition offset, or for records that never reached
   * Kafka (a line of a file) a pseudo-topic such as {@code file:/var/log/app.log} with the line as
   * partition -1 and its byte offset.
   */
  public record Origin(String topic, int partition, long offset) {}

  /**
   * Returns the record for {@code topic}'s dead-letter topic.
   *
   * @param topic the topic the record belongs to; the dead letter goes to {@code topic.dlq}
   */
  public static ProducerRecord<byte[], byte[]> of(
      String topic,
      byte @Nullable [] key,
      byte @Nullable [] value,
      Iterable<Header> originalHeaders,
      Throwable failure,
      Origin origin,
      int attempts,
      String service) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : originalHeaders) {
      headers.add(header);
    }
    String reason =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON);
    }
    set(headers, ERROR_CLASS, failure.getClass().getName());
    set(headers, REASON, reason);
    set(headers, ORIGIN_TOPIC, origin.topic());
    set(headers, ORIGIN_PARTITION, String.valueOf(origin.partition()));
    set(headers, ORIGIN_OFFSET, String.valueOf(origin.offset()));
    set(headers, ATTEMPTS, String.valueOf(attempts));
    set(headers, SERVICE, service);
    set(headers, TIMESTAMP, Instant.now().toString());
    return new ProducerRecord<>(Topics.deadLetter(topic), null, key, value, headers);
  }

  private static void set(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

package dev.pipeline.core.runtime;

import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a record that cannot be processed to {@code TOPIC.dlq}: the original key and bytes, the
 * original headers, and headers that say why and where it came from.
 */
final class DeadLetterWriter {
  static final String ERROR_CLASS = "dlq.error.class";
  static final String REASON = "dlq.reason";
  static final String ORIGIN_TOPIC = "dlq.origin.topic";
  static final String ORIGIN_PARTITION = "dlq.origin.partition";
  static final String ORIGIN_OFFSET = "dlq.origin.offset";
  static final String ATTEMPTS = "dlq.attempts";
  static final String SERVICE = "dlq.service";
  static final String TIMESTAMP = "dlq.timestamp";

  private static final int MAX_REASON = 4096;

  private final Publisher publisher;
  private final String service;

  DeadLetterWriter(Publisher publisher, String service) {
    this.publisher = publisher;
    this.service = service;
  }

  CompletableFuture<RecordMetadata> write(
      ConsumerRecord<byte[], byte[]> record, Throwable failure, int attempts) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      headers.add(header);
    }
    String reason =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON);
    }
    add(headers, ERROR_CLASS, failure.getClass().getName());
    add(headers, REASON, reason);
    add(headers, ORIGIN_TOPIC, record.topic());
    add(headers, ORIGIN_PARTITION, String.valueOf(record.partition()));
    add(headers, ORIGIN_OFFSET, String.valueOf(record.offset()));
    add(headers, ATTEMPTS, String.valueOf(attempts));
    add(headers, SERVICE, service);
    add(headers, TIMESTAMP, Instant.now().toString());
    return publisher.send(
        new ProducerRecord<>(
            Topics.deadLetter(record.topic()), null, record.key(), record.value(), headers));
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

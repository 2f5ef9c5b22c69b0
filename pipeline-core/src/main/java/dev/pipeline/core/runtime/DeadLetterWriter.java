package dev.pipeline.core.runtime;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Writes a consumed record that cannot be processed to its dead-letter topic. */
final class DeadLetterWriter {
  private final Publisher publisher;
  private final String service;

  DeadLetterWriter(Publisher publisher, String service) {
    this.publisher = publisher;
    this.service = service;
  }

  CompletableFuture<RecordMetadata> write(
      ConsumerRecord<byte[], byte[]> record, Throwable failure, int attempts) {
    return publisher.send(
        DeadLetter.of(
            record.topic(),
            record.key(),
            record.value(),
            record.headers(),
            failure,
            new DeadLetter.Origin(record.topic(), record.partition(), record.offset()),
            attempts,
            service));
  }
}

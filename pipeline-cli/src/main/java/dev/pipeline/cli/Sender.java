package dev.pipeline.cli;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where the CLI's publishing goes; each future completes when Kafka has acknowledged the record.
 */
interface Sender {
  CompletableFuture<?> send(String topic, String key, Object message);

  CompletableFuture<?> sendRaw(ProducerRecord<byte[], byte[]> record);

  /** Returns once everything sent so far is acknowledged or failed. */
  void flush();
}

package dev.pipeline.core.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test access to a topic: create it, write raw records, read everything in it. */
public final class Topic {
  private final String bootstrap;
  private final String name;

  public Topic(String bootstrap, String name) {
    this.bootstrap = bootstrap;
    this.name = name;
  }

  public String name() {
    return name;
  }

  public Topic create(int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    return this;
  }

  /** Writes each value with the given key and waits for the acknowledgements. */
  public void send(List<String> keys, List<String> values) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", bootstrap, "linger.ms", 5, "acks", "all"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < values.size(); i++) {
        producer.send(
            new ProducerRecord<>(
                name,
                keys.get(i).getBytes(StandardCharsets.UTF_8),
                values.get(i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /** Returns every record now in the topic, from the beginning. */
  public List<ConsumerRecord<byte[], byte[]>> readAll() {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(name).stream()
              .map(p -> new TopicPartition(name, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + name + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /** Returns the values now in the topic as strings. */
  public List<String> values() {
    return readAll().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  /** Returns the keys now in the topic as strings. */
  public List<String> keys() {
    return readAll().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
  }

  /** Returns the reason header of each dead letter now in the topic, by the record's key. */
  public Map<String, String> deadLetterReasons() {
    Map<String, String> reasons = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll()) {
      reasons.put(
          new String(record.key(), StandardCharsets.UTF_8),
          new String(
              record.headers().lastHeader(dev.pipeline.core.runtime.DeadLetter.REASON).value(),
              StandardCharsets.UTF_8));
    }
    return reasons;
  }

  /** Waits until the topic's keys satisfy {@code condition}. */
  public void awaitKeys(Predicate<List<String>> condition, Duration timeout) {
    org.awaitility.Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> condition.test(keys()));
  }
}

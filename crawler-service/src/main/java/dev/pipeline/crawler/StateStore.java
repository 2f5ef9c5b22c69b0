package dev.pipeline.crawler;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and restores what a frontier partition's owner must not forget, on the compacted {@code
 * crawl.state} topic, partition for partition: a record per claimed URL (key {@code seen CRAWL
 * URL}, its depth) and per host whose politeness is in force (key {@code host HOST}).
 */
final class StateStore {
  private static final Logger log = LoggerFactory.getLogger(StateStore.class);
  private static final String SEEN = "seen ";
  private static final String HOST = "host ";

  private final KafkaSettings kafka;
  private final Publisher publisher;
  private final MessageCodec codec = MessageCodec.standard();

  /** A claimed URL's depth. */
  record SeenRecord(int v, int depth) {}

  /**
   * A host's politeness: epoch millis before which it must not be asked again, until when it asked
   * us to back off (429, Retry-After), and its robots.txt Crawl-delay.
   */
  record HostRecord(int v, String host, long nextAllowedAt, long backoffUntil, long crawlDelayMs) {}

  /** What one partition's state topic held. */
  record Restored(SeenUrls seen, List<HostRecord> hosts) {}

  StateStore(KafkaSettings kafka, Publisher publisher) {
    this.kafka = kafka;
    this.publisher = publisher;
  }

  CompletableFuture<?> saveSeen(int partition, String crawlId, String url, int depth) {
    return write(partition, SEEN + crawlId + " " + url, new SeenRecord(1, depth));
  }

  CompletableFuture<?> saveHost(int partition, HostRecord host) {
    return write(partition, HOST + host.host(), host);
  }

  private CompletableFuture<?> write(int partition, String key, Object value) {
    return publisher.send(
        new ProducerRecord<>(
            Topics.CRAWL_STATE,
            partition,
            key.getBytes(StandardCharsets.UTF_8),
            codec.encode(value)));
  }

  /** Reads the state of {@code partitions} from the beginning to their current end. */
  Map<Integer, Restored> restore(List<Integer> partitions) {
    Map<Integer, SeenUrls> seen = new HashMap<>();
    Map<Integer, Map<String, HostRecord>> hosts = new HashMap<>();
    List<TopicPartition> topicPartitions = new ArrayList<>();
    for (int partition : partitions) {
      seen.put(partition, new SeenUrls());
      hosts.put(partition, new HashMap<>());
      topicPartitions.add(new TopicPartition(Topics.CRAWL_STATE, partition));
    }
    long started = System.nanoTime();
    long records = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            kafka.clientConfig(Map.of("max.poll.records", 5000)),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.assign(topicPartitions);
      consumer.seekToBeginning(topicPartitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(topicPartitions, Duration.ofSeconds(30));
      List<TopicPartition> pending = new ArrayList<>(topicPartitions);
      pending.removeIf(tp -> ends.get(tp) == 0);
      while (!pending.isEmpty()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          records++;
          if (record.key() == null || record.value() == null) {
            continue;
          }
          String key = new String(record.key(), StandardCharsets.UTF_8);
          if (key.startsWith(SEEN)) {
            int space = key.indexOf(' ', SEEN.length());
            if (space > 0) {
              int depth = codec.decode(record.value(), SeenRecord.class).depth();
              seen.get(record.partition())
                  .restore(
                      SeenUrls.fingerprint(
                          key.substring(SEEN.length(), space), key.substring(space + 1)),
                      depth);
            }
          } else if (key.startsWith(HOST)) {
            HostRecord host = codec.decode(record.value(), HostRecord.class);
            hosts.get(record.partition()).put(host.host(), host);
          }
        }
        pending.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
      }
    }
    Map<Integer, Restored> restored = new HashMap<>();
    for (int partition : partitions) {
      restored.put(
          partition, new Restored(seen.get(partition), List.copyOf(hosts.get(partition).values())));
    }
    log.info(
        "Restored crawl state of partition(s) {}: {} record(s) in {} ms",
        partitions,
        records,
        (System.nanoTime() - started) / 1_000_000);
    return restored;
  }
}

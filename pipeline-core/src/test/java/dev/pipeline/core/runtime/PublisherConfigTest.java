package dev.pipeline.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.config.KafkaSettings;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class PublisherConfigTest {
  private static final KafkaSettings PLAIN = new KafkaSettings("127.0.0.1:9092", Map.of());

  @Test
  void logsAndPagesAreCompressedAndHashJobsAreNot() {
    assertThat(Publisher.config(PLAIN, Map.of()))
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    assertThat(Publisher.config(PLAIN, Publisher.SMALL_RECORDS))
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    assertThat(Publisher.config(PLAIN, Publisher.UNORDERED_JOBS))
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
        .containsEntry(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
  }

  @Test
  void theUsersPropertiesWinOverOursAndTheCallers() {
    KafkaSettings user =
        new KafkaSettings("127.0.0.1:9092", Map.of("compression.type", "zstd", "linger.ms", "20"));

    assertThat(Publisher.config(user, Publisher.UNORDERED_JOBS))
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
        .containsEntry(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
  }
}

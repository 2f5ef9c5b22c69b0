package dev.pipeline.localkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {
  @Test
  void singleNodeKraftOnLoopbackWithOverridesWinning() {
    Properties p =
        new BrokerSettings(
                "127.0.0.1",
                9092,
                9093,
                Path.of("/data/kafka"),
                Map.of("num.partitions", "3", "group.share.record.lock.duration.ms", "5000"))
            .brokerProperties();
    assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
    assertThat(p.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
    assertThat(p.getProperty("controller.quorum.voters")).isEqualTo("1@127.0.0.1:9093");
    assertThat(p.getProperty("log.dirs")).isEqualTo("/data/kafka");
    assertThat(p.getProperty("share.coordinator.state.topic.replication.factor")).isEqualTo("1");
    assertThat(p.getProperty("num.partitions")).isEqualTo("3");
    assertThat(p.getProperty("group.share.record.lock.duration.ms")).isEqualTo("5000");
    assertThat(p.getProperty("group.consumer.heartbeat.interval.ms")).isEqualTo("1000");
    assertThat(p.getProperty("group.consumer.min.heartbeat.interval.ms")).isEqualTo("1000");
    assertThat(p.getProperty("group.share.heartbeat.interval.ms")).isEqualTo("1000");
    assertThat(p.getProperty("group.share.assignors"))
        .isEqualTo(SharedPartitionsAssignor.class.getName());
  }

  @Test
  void portsAreChecked() {
    assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 0, 9093, Path.of("d"), Map.of()))
        .hasMessage("port must be 1-65535: 0");
    assertThatThrownBy(() -> new BrokerSettings("127.0.0.1", 9092, 9092, Path.of("d"), Map.of()))
        .hasMessage("port and controllerPort are both 9092");
    assertThat(
            new BrokerSettings("127.0.0.1", 9092, 9093, Path.of("d"), Map.of()).bootstrapServers())
        .isEqualTo("127.0.0.1:9092");
  }
}

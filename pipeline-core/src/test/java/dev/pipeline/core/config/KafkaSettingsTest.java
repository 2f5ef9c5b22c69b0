package dev.pipeline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {
  @Test
  void environmentPassesClientPropertiesThroughAndFlagsWin() {
    KafkaSettings settings =
        KafkaSettings.resolve(
            "broker:9093",
            Map.of("sasl.mechanism", "SCRAM-SHA-512"),
            Map.of(
                "PIPELINE_KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "PIPELINE_KAFKA_SASL_MECHANISM",
                "PLAIN",
                "PIPELINE_KAFKA_PORT",
                "9092",
                "PIPELINE_BOOTSTRAP",
                "ignored:1",
                "HOME",
                "/root"));
    assertThat(settings.clientProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));
    assertThat(settings.clientConfig(Map.of("acks", "all")))
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("acks", "all")
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void bootstrapMustBeHostAndPort() {
    assertThatThrownBy(() -> new KafkaSettings("localhost", Map.of()))
        .hasMessage("bootstrap server is not HOST:PORT: localhost");
    assertThatThrownBy(() -> new KafkaSettings(" ", Map.of()))
        .hasMessageStartingWith("bootstrap servers are empty");
    assertThat(new KafkaSettings("a:1,b:2", Map.of()).bootstrapServers()).isEqualTo("a:1,b:2");
  }
}

package dev.pipeline.localkafka.testkit;

import dev.pipeline.localkafka.BrokerSettings;
import java.util.Map;
import org.testcontainers.kafka.KafkaContainer;

/** The official apache/kafka image through Testcontainers, used where a Docker engine answers. */
final class ContainerBroker implements TestBroker {
  static final String IMAGE = "apache/kafka:4.4.0";

  private final KafkaContainer container = new KafkaContainer(IMAGE);

  ContainerBroker() {
    Map<String, String> settings = new java.util.HashMap<>(BrokerSettings.GROUP_HEARTBEATS);
    settings.putAll(TestBroker.testOverrides());
    for (Map.Entry<String, String> e : settings.entrySet()) {
      container.withEnv(
          "KAFKA_" + e.getKey().toUpperCase(java.util.Locale.ROOT).replace('.', '_'), e.getValue());
    }
  }

  @Override
  public boolean sharesPartitions() {
    return false; // the image's own assignor: its class path lacks ours
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  private boolean paused;

  @Override
  public void start() {
    if (paused) {
      container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
      paused = false;
    } else {
      container.start();
    }
  }

  @Override
  public void stop() {
    // Stopping a container discards its data and port; a paused one keeps both, like a stopped
    // broker.
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    paused = true;
  }
}

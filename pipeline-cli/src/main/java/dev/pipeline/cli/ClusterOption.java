package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --bootstrap}: the Kafka cluster a command talks to, the local pipeline's by default. */
final class ClusterOption {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka to use (default: the local pipeline's).")
  @Nullable String bootstrap;

  /** Returns the named cluster's settings, or the running local pipeline's. */
  KafkaSettings kafka() {
    String cluster =
        bootstrap != null
            ? bootstrap
            : new LocalPipeline(Layout.detect(), System.err).requireRunning().bootstrap();
    return KafkaSettings.resolve(cluster, Map.of(), System.getenv());
  }
}

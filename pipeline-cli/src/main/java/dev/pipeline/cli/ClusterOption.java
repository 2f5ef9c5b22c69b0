package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.topic.TopicCatalog;
import dev.pipeline.core.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --bootstrap}: the Kafka cluster a command talks to, the local pipeline's by default. */
final class ClusterOption {
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

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

  /**
   * Returns the cluster's settings once it has answered and holds every one of {@code topics}: a
   * producer would otherwise block a minute per record on a broker that is down or a misspelt
   * {@code --topic}, saying nothing.
   */
  KafkaSettings kafka(String... topics) {
    KafkaSettings kafka = kafka();
    List<String> missing;
    try (Admin admin = Admin.create(kafka.clientConfig(Map.of()))) {
      missing = TopicCatalog.missing(admin, List.of(topics), ANSWER_WITHIN);
    } catch (IllegalStateException e) {
      throw unreachable(kafka.bootstrapServers());
    }
    if (!missing.isEmpty()) {
      throw new CliException(
          "Kafka at "
              + kafka.bootstrapServers()
              + " has no topic "
              + String.join(", ", missing)
              + " (check --topic; 'pipeline up' creates the pipeline's topics)");
    }
    return kafka;
  }

  /**
   * The cluster for publishing hash jobs, and reading their results when {@code waiting}: then the
   * reader checks the topics as it opens ({@link KafkaHashRoute#outcomes}), and no Admin client is
   * made for it.
   */
  KafkaSettings kafkaForHashJobs(boolean waiting) {
    return waiting ? kafka() : kafka(Topics.HASH_JOBS);
  }

  /** The one-line error for a cluster that did not answer. */
  static CliException unreachable(String bootstrap) {
    return new CliException(
        "cannot reach Kafka at "
            + bootstrap
            + " (no answer within "
            + ANSWER_WITHIN.toSeconds()
            + " s)");
  }
}

package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.topic.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Publishes jobs and reads their outcomes with Kafka clients of this process ({@link HashClients}).
 */
final class KafkaHashRoute implements HashRoute {
  private final KafkaSettings kafka;
  private final boolean waiting;
  private final HashClients clients;
  private final Map<String, String> refused = new ConcurrentHashMap<>();

  /** With {@code waiting}, starts reading outcomes before the first job is published. */
  KafkaHashRoute(KafkaSettings kafka, boolean waiting) {
    this.kafka = kafka;
    this.waiting = waiting;
    this.clients = HashClients.open(kafka, waiting);
  }

  /**
   * A reader of outcomes from the topics' ends, once Kafka has shown it holds the topics, or the
   * one-line error why there is none.
   */
  static HashOutcomes outcomes(KafkaSettings kafka) {
    try {
      return new HashOutcomes(kafka, ClusterOption.ANSWER_WITHIN);
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage());
    } catch (TimeoutException e) {
      throw ClusterOption.unreachable(kafka.bootstrapServers());
    }
  }

  @Override
  public String description() {
    return "Kafka at " + kafka.bootstrapServers();
  }

  @Override
  public void submit(HashJob job) {
    clients
        .publisher()
        .publish(Topics.HASH_JOBS, job.jobId(), job)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                refused.put(job.jobId(), "Kafka did not take the job: " + error.getMessage());
              }
            });
  }

  @Override
  public Map<String, String> finish() {
    clients.publisher().flush(); // returns once every send has completed and its callback run
    if (refused.isEmpty() && !waiting) {
      clients.served();
    }
    return Map.copyOf(refused);
  }

  @Override
  public Set<String> awaitAll(
      Set<String> jobIds,
      Duration timeout,
      BooleanSupplier stop,
      Consumer<HashOutcomes.Outcome> onOutcome) {
    if (!waiting) {
      throw new IllegalStateException("this route was opened without waiting");
    }
    Set<String> pending = clients.outcomes().awaitAll(jobIds, timeout, stop, onOutcome);
    if (refused.isEmpty()) {
      clients.served();
    }
    return pending;
  }

  @Override
  public void cancel() {
    // The wait asks its stop condition between polls of at most 200 ms.
  }

  @Override
  public void close() {
    clients.close();
  }
}

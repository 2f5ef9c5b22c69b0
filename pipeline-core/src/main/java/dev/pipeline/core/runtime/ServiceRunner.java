package dev.pipeline.core.runtime;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.topic.TopicCatalog;
import dev.pipeline.core.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service's {@code main} does around its worker: wait for Kafka, create missing topics,
 * open the process's one {@link Publisher}, run the worker until SIGTERM.
 *
 * <pre>{@code
 * return ServiceRunner.run("hasher-worker", options, Map.of(), (kafka, publisher) ->
 *     new Worker<>(settings(kafka), HashJob.class, new Hasher(publisher), publisher));
 * }</pre>
 */
public final class ServiceRunner {
  private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);
  private static final Duration BROKER_WAIT = Duration.ofSeconds(60);

  private ServiceRunner() {}

  /** Builds the worker of a service once Kafka is reachable. */
  @FunctionalInterface
  public interface WorkerFactory {
    Worker<?> create(KafkaSettings kafka, Publisher publisher) throws Exception;
  }

  /** Builds the workers of a service that consumes several topics, each its own way. */
  @FunctionalInterface
  public interface WorkersFactory {
    List<Worker<?>> create(KafkaSettings kafka, Publisher publisher) throws Exception;
  }

  /**
   * Runs a service's worker until SIGTERM, its {@link Publisher} made with {@code
   * producerOverrides} (none, or such as {@link Publisher#SMALL_RECORDS}); returns the process exit
   * code.
   */
  public static int run(
      String service,
      ServiceOptions options,
      Map<String, ?> producerOverrides,
      WorkerFactory factory)
      throws Exception {
    return runAll(
        service,
        options,
        producerOverrides,
        (kafka, publisher) -> List.of(factory.create(kafka, publisher)));
  }

  /**
   * Runs several workers side by side until SIGTERM (each drains on its own); returns 0 if all
   * stopped cleanly, else 1.
   */
  public static int runAll(String service, ServiceOptions options, WorkersFactory factory)
      throws Exception {
    return runAll(service, options, Map.of(), factory);
  }

  private static int runAll(
      String service,
      ServiceOptions options,
      Map<String, ?> producerOverrides,
      WorkersFactory factory)
      throws Exception {
    KafkaSettings kafka = options.kafka();
    prepareTopics(kafka, options.partitions());
    try (Publisher publisher = new Publisher(kafka, producerOverrides)) {
      List<Worker<?>> workers = factory.create(kafka, publisher);
      log.info("{} started as {}", service, options.workerId());
      markReady();
      if (workers.size() == 1) {
        return workers.get(0).runUntilShutdown();
      }
      List<java.util.concurrent.CompletableFuture<Integer>> exits = new java.util.ArrayList<>();
      for (Worker<?> worker : workers) {
        exits.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                worker::runUntilShutdown, runnable -> Thread.ofPlatform().start(runnable)));
      }
      int exit = 0;
      for (java.util.concurrent.CompletableFuture<Integer> code : exits) {
        exit = Math.max(exit, code.join());
      }
      return exit;
    }
  }

  /**
   * Creates the file named by {@code PIPELINE_READY_FILE}, if set, once the service has reached
   * Kafka and runs: what a container healthcheck looks for.
   */
  public static void markReady() {
    String file = System.getenv("PIPELINE_READY_FILE");
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      java.nio.file.Files.writeString(java.nio.file.Path.of(file), Instant.now() + "\n");
    } catch (java.io.IOException e) {
      log.warn("Cannot write the ready file {}: {}", file, e.toString());
    }
  }

  /** Waits until the cluster answers (up to a minute) and creates the pipeline's missing topics. */
  public static void prepareTopics(KafkaSettings kafka, int partitions) {
    Instant deadline = Instant.now().plus(BROKER_WAIT);
    try (Admin admin =
        Admin.create(
            kafka.clientConfig(
                Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000)))) {
      while (true) {
        try {
          admin.describeCluster().nodes().get();
          break;
        } catch (Exception e) {
          if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(
                "Kafka at "
                    + kafka.bootstrapServers()
                    + " did not answer within "
                    + BROKER_WAIT
                    + "; is the broker running? (bin/pipeline up starts one)",
                e);
          }
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
          }
          log.info("Waiting for Kafka at {}...", kafka.bootstrapServers());
          sleep(1000);
        }
      }
      TopicCatalog.ensure(admin, Topics.catalog(partitions));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

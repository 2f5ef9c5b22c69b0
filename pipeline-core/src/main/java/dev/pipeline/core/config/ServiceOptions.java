package dev.pipeline.core.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every service takes, as a picocli mixin. Each reads its flag first, then its {@code
 * PIPELINE_*} environment variable, then the default.
 */
public final class ServiceOptions {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:PIPELINE_BOOTSTRAP:-127.0.0.1:9092}",
      description = "Kafka bootstrap servers (env PIPELINE_BOOTSTRAP, default ${DEFAULT-VALUE}).")
  String bootstrap = "127.0.0.1:9092";

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client property, e.g. security.protocol=SASL_SSL (env PIPELINE_KAFKA_SECURITY_PROTOCOL=...).")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(
      names = "--partitions",
      defaultValue = "${env:PIPELINE_PARTITIONS:-12}",
      description =
          "Partitions of each topic this service creates if missing (env PIPELINE_PARTITIONS, default ${DEFAULT-VALUE}).")
  int partitions = 12;

  @Option(
      names = "--concurrency",
      defaultValue = "${env:PIPELINE_CONCURRENCY:-0}",
      description =
          "Jobs processed at once by this process; 0 picks the service's default (env PIPELINE_CONCURRENCY).")
  int concurrency;

  @Option(
      names = "--shutdown-timeout",
      defaultValue = "${env:PIPELINE_SHUTDOWN_TIMEOUT:-20s}",
      description =
          "How long a stopping worker waits for in-flight jobs (env PIPELINE_SHUTDOWN_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration shutdownTimeout = Duration.ofSeconds(20);

  @Option(
      names = "--worker-id",
      defaultValue = "${env:PIPELINE_WORKER_ID}",
      description =
          "Name of this process in results and logs (env PIPELINE_WORKER_ID, default HOST-PID).")
  @org.jspecify.annotations.Nullable
  String workerId;

  /** Returns the Kafka connection settings, flags over environment. */
  public KafkaSettings kafka() {
    return KafkaSettings.resolve(bootstrap, kafka, System.getenv());
  }

  public int partitions() {
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1: " + partitions);
    }
    return partitions;
  }

  /** Returns the configured concurrency, or {@code fallback} when none was given. */
  public int concurrency(int fallback) {
    if (concurrency < 0) {
      throw new IllegalArgumentException("--concurrency must be 0 or more: " + concurrency);
    }
    return concurrency == 0 ? fallback : concurrency;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** Returns this process's name: the flag, or host name and pid. */
  public String workerId() {
    if (workerId != null && !workerId.isBlank()) {
      return workerId;
    }
    String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      // keep HOSTNAME: a name for logs, not for connecting
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}

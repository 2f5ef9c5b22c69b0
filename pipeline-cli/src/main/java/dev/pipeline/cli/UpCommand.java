package dev.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the broker and the services, each as its own OS process.",
      "Starts local-kafka unless --bootstrap names a running cluster, then one process of each service (or as many as asked), and returns once all are ready. Logs go to .pipeline/logs/."
    })
final class UpCommand implements Callable<Integer> {
  @Option(
      names = "--producers",
      defaultValue = "1",
      description = "producer-service processes (default ${DEFAULT-VALUE}).")
  int producers;

  @Option(
      names = "--consumers",
      defaultValue = "1",
      description = "consumer-service processes (default ${DEFAULT-VALUE}).")
  int consumers;

  @Option(
      names = "--crawlers",
      defaultValue = "1",
      description = "crawler-service processes (default ${DEFAULT-VALUE}).")
  int crawlers;

  @Option(
      names = "--hashers",
      defaultValue = "1",
      description = "hasher-worker processes (default ${DEFAULT-VALUE}).")
  int hashers;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this running Kafka cluster instead of starting a local broker.")
  String bootstrap;

  @Option(
      names = "--port",
      defaultValue = "${env:PIPELINE_KAFKA_PORT:-9092}",
      description =
          "Port of the local broker (env PIPELINE_KAFKA_PORT, default ${DEFAULT-VALUE}); the controller takes the next one.")
  int port;

  @Option(
      names = "--partitions",
      defaultValue = "${env:PIPELINE_PARTITIONS:-12}",
      description =
          "Partitions of each topic created (env PIPELINE_PARTITIONS, default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Map<ServiceName, Integer> counts = new EnumMap<>(ServiceName.class);
    counts.put(ServiceName.PRODUCER, count("--producers", producers));
    counts.put(ServiceName.CONSUMER, count("--consumers", consumers));
    counts.put(ServiceName.CRAWLER, count("--crawlers", crawlers));
    counts.put(ServiceName.HASHER, count("--hashers", hashers));
    if (port < 1 || port > 65534) {
      throw new CliException("--port must be 1-65534: " + port);
    }
    if (partitions < 1) {
      throw new CliException("--partitions must be at least 1: " + partitions);
    }
    LocalPipeline pipeline = new LocalPipeline(Layout.detect(), json ? System.err : System.out);
    Optional<State> running = pipeline.running();
    if (running.isPresent()) {
      ResidentCli.start(pipeline.layout()); // again, if it was stopped or killed
      long alive = running.get().services().stream().filter(ManagedProcess::alive).count();
      System.out.println(
          "The pipeline is already up (Kafka "
              + running.get().bootstrap()
              + ", "
              + alive
              + " service process(es)). 'bin/pipeline status' shows it; 'bin/pipeline down' stops it.");
      return 0;
    }
    long start = System.nanoTime();
    State state = pipeline.up(counts, Optional.ofNullable(bootstrap), port, partitions);
    ResidentCli.start(pipeline.layout());
    double seconds = (System.nanoTime() - start) / 1e9;
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("bootstrap", state.bootstrap());
      result.put("readySeconds", Math.round(seconds * 10) / 10.0);
      result.put("broker", state.broker());
      result.put("services", state.services());
      System.out.println(new ObjectMapper().writeValueAsString(result));
    } else {
      System.out.printf(
          java.util.Locale.ROOT,
          "The pipeline is up in %.1f s: Kafka %s, %d service process(es).%n",
          seconds,
          state.bootstrap(),
          state.services().size());
      System.out.println(
          "  bin/pipeline status --watch     watch processes, groups and throughput");
      System.out.println(
          "  bin/pipeline logs SERVICE -f    follow a log (" + pipeline.layout().logs() + ")");
      System.out.println("  bin/pipeline down               stop everything");
    }
    return 0;
  }

  private static int count(String option, int value) {
    if (value < 0) {
      throw new CliException(option + " must be 0 or more: " + value);
    }
    return value;
  }
}

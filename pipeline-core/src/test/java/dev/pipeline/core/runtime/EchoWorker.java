package dev.pipeline.core.runtime;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.LogEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A worker process for the runtime's tests: for each LogEvent it prints {@code started ID}, waits
 * {@code --delay-ms}, and publishes key ID, value {@code PID:DELIVERY_COUNT} to the output topic.
 * Events whose message is {@code fail-permanently} or {@code fail-retriable} fail that way.
 */
public final class EchoWorker implements Callable<Integer> {
  @Option(names = "--bootstrap", required = true)
  String bootstrap;

  @Option(names = "--group", required = true)
  String group;

  @Option(names = "--input", required = true)
  String input;

  @Option(names = "--output", required = true)
  String output;

  @Option(names = "--model", defaultValue = "GROUP")
  ConsumptionModel model;

  @Option(names = "--delay-ms", defaultValue = "0")
  long delayMs;

  @Option(names = "--concurrency", defaultValue = "32")
  int concurrency;

  @Option(names = "--consumers", defaultValue = "1")
  int consumers;

  @Option(names = "--max-deliveries", defaultValue = "5")
  int maxDeliveries;

  @Option(names = "--lock-ms", defaultValue = "5000")
  long lockMs;

  /** Builds the worker; tests also run it inside their own JVM. */
  static Worker<LogEvent> worker(
      WorkerSettings settings, Publisher publisher, String output, long delayMs) {
    String pid = String.valueOf(ProcessHandle.current().pid());
    JobHandler<LogEvent> handler =
        job -> {
          LogEvent event = job.message();
          switch (event.message()) {
            case "fail-permanently" -> throw new IllegalArgumentException("refusing " + event.id());
            case "fail-retriable" -> throw new RetriableJobException("flaky " + event.id());
            default -> {}
          }
          System.out.println("started " + event.id());
          if (delayMs > 0) {
            Thread.sleep(delayMs);
          }
          return publisher.publish(output, event.id(), pid + ":" + job.deliveryCount());
        };
    return new Worker<>(settings, LogEvent.class, handler, publisher);
  }

  @Override
  public Integer call() {
    KafkaSettings kafka = new KafkaSettings(bootstrap, Map.of());
    WorkerSettings settings =
        WorkerSettings.builder("echo-worker", kafka)
            .group(group)
            .topics(input)
            .model(model)
            .concurrency(concurrency)
            .consumers(consumers)
            .maxDeliveries(maxDeliveries)
            .lockDuration(Duration.ofMillis(lockMs))
            .retries(3, Duration.ofMillis(20), Duration.ofMillis(100))
            .shutdownTimeout(Duration.ofSeconds(20))
            .build();
    try (Publisher publisher = new Publisher(kafka, Map.of())) {
      return worker(settings, publisher, output, delayMs).runUntilShutdown();
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new EchoWorker()).execute(args));
  }
}

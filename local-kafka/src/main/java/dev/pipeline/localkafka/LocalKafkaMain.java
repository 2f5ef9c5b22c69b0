package dev.pipeline.localkafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a local broker until SIGTERM, Ctrl-C, or the death of the process named by --parent-pid. */
@Command(
    name = "local-kafka",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a real single-node Apache Kafka broker (KRaft) on this machine.",
      "Prints 'local-kafka ready on HOST:PORT' once it answers metadata requests."
    })
public final class LocalKafkaMain implements Callable<Integer> {
  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      defaultValue = "${env:PIPELINE_KAFKA_PORT:-9092}",
      description = "Client port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--controller-port",
      description = "KRaft controller port (default: client port + 1).")
  Integer controllerPort;

  @Option(
      names = "--data-dir",
      defaultValue = ".pipeline/kafka",
      description = "Log and metadata directory (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(".pipeline/kafka");

  @Option(
      names = "--override",
      paramLabel = "KEY=VALUE",
      description =
          "A broker property to set, for example group.share.record.lock.duration.ms=5000.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--parent-pid",
      description = "Stop when this process ends (used by test harnesses).")
  Long parentPid;

  @Option(
      names = "--ready-timeout",
      defaultValue = "PT60S",
      description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
  Duration readyTimeout = Duration.ofSeconds(60);

  @Override
  public Integer call() throws InterruptedException {
    int controller = controllerPort != null ? controllerPort : port + 1;
    BrokerSettings settings = new BrokerSettings(host, port, controller, dataDir, overrides);
    LocalKafka kafka;
    try {
      kafka = LocalKafka.start(settings, readyTimeout);
    } catch (PortInUseException e) {
      System.err.println("local-kafka: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                },
                "local-kafka-shutdown"));
    if (parentPid != null) {
      ProcessHandle.of(parentPid)
          .ifPresentOrElse(
              parent -> parent.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
    }
    System.out.println("local-kafka ready on " + kafka.bootstrapServers());
    System.out.flush();
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    int exit = new CommandLine(new LocalKafkaMain()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }
}

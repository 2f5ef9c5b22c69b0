package dev.pipeline.localkafka;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka cluster (KRaft: broker and controller in this JVM).
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start(settings)) {
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Run as its own process through {@link LocalKafkaMain}; tests start it the same way so that a
 * broker can be stopped and restarted under running clients.
 */
public final class LocalKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalKafka.class);

  private final BrokerSettings settings;
  private final KafkaRaftServer server;

  private LocalKafka(BrokerSettings settings, KafkaRaftServer server) {
    this.settings = settings;
    this.server = server;
  }

  /**
   * Formats the data directory if it is new, starts the broker and returns once it answers metadata
   * requests.
   *
   * @throws PortInUseException if the client or controller port is already taken
   */
  public static LocalKafka start(BrokerSettings settings, Duration readyTimeout) {
    requireNonNull(settings, "settings == null");
    ensurePortFree(settings.host(), settings.port());
    ensurePortFree(settings.host(), settings.controllerPort());
    Properties properties = settings.brokerProperties();
    format(settings, properties);
    KafkaRaftServer server =
        new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    server.startup();
    LocalKafka kafka = new LocalKafka(settings, server);
    try {
      kafka.awaitReady(readyTimeout);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  /** Returns the {@code bootstrap.servers} value clients use to reach this broker. */
  public String bootstrapServers() {
    return settings.bootstrapServers();
  }

  /** Blocks until the broker shuts down (after {@link #close()} or a fatal error). */
  public void awaitShutdown() {
    server.awaitShutdown();
  }

  /** Stops the broker and waits until it has stopped; its data stays for the next start. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  private static void ensurePortFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new PortInUseException(host, port);
    }
  }

  /** Formats the storage once; a directory with a {@code meta.properties} is left as it is. */
  private static void format(BrokerSettings settings, Properties properties) {
    Path dataDir = settings.dataDir();
    if (Files.exists(dataDir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(dataDir);
      Path config = Files.createTempFile("local-kafka", ".properties");
      try {
        try (OutputStream out = Files.newOutputStream(config)) {
          properties.store(out, "local-kafka");
        }
        String clusterId = Uuid.randomUuid().toString();
        List<String> args =
            new ArrayList<>(
                List.of("format", "-t", clusterId, "-c", config.toString(), "--ignore-formatted"));
        int exit =
            StorageTool.execute(
                args.toArray(String[]::new), new PrintStream(OutputStream.nullOutputStream()));
        if (exit != 0) {
          throw new IllegalStateException(
              "formatting " + dataDir + " failed with exit code " + exit);
        }
        log.info("Formatted {} for cluster {}", dataDir, clusterId);
      } finally {
        Files.deleteIfExists(config);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dataDir, e);
    }
  }

  private void awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin admin = Admin.create(config)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
          }
          if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(
                "broker on " + bootstrapServers() + " did not answer within " + timeout, e);
          }
        }
        sleep(100);
      }
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

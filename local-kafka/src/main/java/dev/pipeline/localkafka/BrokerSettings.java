package dev.pipeline.localkafka;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a local broker needs to start: where it listens and where it keeps its data.
 *
 * @param host the address both listeners bind to; loopback by default so nothing is exposed
 * @param port the client (PLAINTEXT) port
 * @param controllerPort the KRaft controller port
 * @param dataDir the broker's log and metadata directory, formatted on first start
 * @param overrides broker properties that replace the defaults below
 */
public record BrokerSettings(
    String host, int port, int controllerPort, Path dataDir, Map<String, String> overrides) {

  public static final int DEFAULT_PORT = 9092;

  /**
   * Members of consumer and share groups heartbeat every second instead of every 5: a process that
   * joins (pipeline scale) gets its partitions in about a second, where a member took 5-10 s to
   * give them up. Every broker of the pipeline gets these, docker-compose.yml's too.
   */
  public static final Map<String, String> GROUP_HEARTBEATS =
      Map.of(
          "group.consumer.min.heartbeat.interval.ms", "1000",
          "group.consumer.heartbeat.interval.ms", "1000",
          "group.share.min.heartbeat.interval.ms", "1000",
          "group.share.heartbeat.interval.ms", "1000");

  /**
   * Share groups as one queue: every member gets every partition ({@link
   * SharedPartitionsAssignor}). docker-compose.yml's broker has it too (the Dockerfile's kafka
   * stage puts this module's {@code share-assignor} jar on its class path).
   */
  public static final Map<String, String> SHARE_ASSIGNOR =
      // Named, not loaded: modules that read this map do not have Kafka's assignor interface.
      Map.of("group.share.assignors", "dev.pipeline.localkafka.SharedPartitionsAssignor");

  public BrokerSettings {
    requireNonNull(host, "host == null");
    requireNonNull(dataDir, "dataDir == null");
    checkPort("port", port);
    checkPort("controllerPort", controllerPort);
    if (port == controllerPort) {
      throw new IllegalArgumentException("port and controllerPort are both " + port);
    }
    overrides = Map.copyOf(overrides);
  }

  private static void checkPort(String name, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be 1-65535: " + port);
    }
  }

  /** Returns the {@code bootstrap.servers} value clients use to reach this broker. */
  public String bootstrapServers() {
    return host + ":" + port;
  }

  /**
   * Returns the broker configuration: a single-node KRaft cluster sized for a small machine, with
   * share groups (KIP-932) and the consumer rebalance protocol (KIP-848) on.
   */
  public Properties brokerProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.toAbsolutePath().toString());
    p.put("num.partitions", "12");
    p.put("auto.create.topics.enable", "false");
    // One node: every internal topic has one replica, and fewer partitions start faster on 2 cores.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "12");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "12");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "12");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.putAll(GROUP_HEARTBEATS);
    p.putAll(SHARE_ASSIGNOR);
    p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    p.putAll(overrides);
    Properties properties = new Properties();
    properties.putAll(p);
    return properties;
  }
}

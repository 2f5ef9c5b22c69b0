package dev.pipeline.localkafka.testkit;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** A real Kafka broker shared by every test in one JVM. */
public interface TestBroker {

  /** Returns the {@code bootstrap.servers} value for clients. */
  String bootstrapServers();

  /** Stops the broker (its data stays); clients see it as unreachable until {@link #start()}. */
  void stop();

  /** Starts the broker again after {@link #stop()}, on the same port with the same data. */
  void start();

  /**
   * Whether share groups give every member every partition ({@code SharedPartitionsAssignor}): the
   * local broker's setting; the stock image of a container broker has Kafka's own assignor.
   */
  default boolean sharesPartitions() {
    return true;
  }

  /**
   * Sets share group {@code group} to start at the earliest offset: a new one starts at the latest
   * and would skip what a test published before its consumers joined.
   */
  default void startShareGroupAtEarliest(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.GROUP, group),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("share.auto.offset.reset", "earliest"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** Returns a topic or group name that no other test uses. */
  default String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Broker settings every test broker gets: short group session timeouts and record locks, so a
   * test that kills a worker sees its work handed on within seconds instead of the production
   * defaults of 45 s and 30 s. (Heartbeats are every second in {@code BrokerSettings} itself.)
   */
  static Map<String, String> testOverrides() {
    return Map.ofEntries(
        Map.entry("group.consumer.session.timeout.ms", "6000"),
        Map.entry("group.consumer.min.session.timeout.ms", "6000"),
        Map.entry("group.share.session.timeout.ms", "6000"),
        Map.entry("group.share.min.session.timeout.ms", "6000"),
        Map.entry("group.share.record.lock.duration.ms", "5000"),
        Map.entry("group.share.min.record.lock.duration.ms", "1000"));
  }
}

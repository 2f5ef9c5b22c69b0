package dev.pipeline.localkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class LocalKafkaIT {

  @Test
  void brokerHasShareGroupsAndTheConsumerProtocolEnabled(TestBroker broker) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      FeatureMetadata features =
          admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS);
      assertThat(features.finalizedFeatures().get("share.version").maxVersionLevel())
          .as("share.version (KIP-932)")
          .isGreaterThanOrEqualTo((short) 1);
      assertThat(features.finalizedFeatures().get("group.version").maxVersionLevel())
          .as("group.version (KIP-848)")
          .isGreaterThanOrEqualTo((short) 1);
      // Heartbeats every second, so a process that joins a group gets its share soon.
      ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config config =
          admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);
      assertThat(config.get("group.consumer.heartbeat.interval.ms").value()).isEqualTo("1000");
      assertThat(config.get("group.share.heartbeat.interval.ms").value()).isEqualTo("1000");
    }
  }

  @Test
  void consumerGroupWithKip848ProtocolAndShareGroupBothReceiveRecords(TestBroker broker)
      throws Exception {
    String topic = broker.unique("roundtrip");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      createTopic(admin, topic, 3);
      try (KafkaProducer<String, String> producer = producer(broker)) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
        }
      }
      String group = broker.unique("classic");
      List<String> seen = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(
              Map.of(
                  "bootstrap.servers",
                  broker.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG,
                  group,
                  ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                  "consumer",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < 10 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        }
      }
      assertThat(seen).hasSize(10);
      assertThat(
              admin.listGroups().all().get().stream()
                  .filter(g -> g.groupId().equals(group))
                  .findFirst()
                  .orElseThrow()
                  .type())
          .contains(GroupType.CONSUMER);

      String shareGroup = broker.unique("share");
      broker.startShareGroupAtEarliest(shareGroup);
      List<String> shared = new ArrayList<>();
      try (KafkaShareConsumer<String, String> consumer =
          new KafkaShareConsumer<>(
              Map.of(
                  "bootstrap.servers",
                  broker.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG,
                  shareGroup),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (shared.size() < 10 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            shared.add(r.value());
          }
        }
      }
      assertThat(shared).containsExactlyInAnyOrderElementsOf(seen);
    }
  }

  @Test
  void secondBrokerOnATakenPortSaysSoInOneLineAndExitsNonZero(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Process process =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  LocalKafkaMain.class.getName(),
                  "--port",
                  String.valueOf(taken.getLocalPort()),
                  "--data-dir",
                  dir.resolve("kafka").toString())
              .redirectErrorStream(true)
              .start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).isEqualTo(2);
      assertThat(output.lines().filter(l -> l.startsWith("local-kafka:")).toList())
          .containsExactly(
              "local-kafka: port "
                  + taken.getLocalPort()
                  + " on 127.0.0.1 is already in use (is another broker running? pick one with --port)");
      assertThat(Files.exists(dir.resolve("kafka"))).as("nothing formatted").isFalse();
    }
  }

  @Test
  void brokerKeepsItsDataAcrossARestart(@TempDir Path dir) throws IOException {
    BrokerSettings settings =
        new BrokerSettings("127.0.0.1", freePort(), freePort(), dir.resolve("kafka"), Map.of());
    String topic = "survives-restart";
    try (LocalKafka kafka = LocalKafka.start(settings, Duration.ofSeconds(60));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      createTopic(admin, topic, 1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    try (LocalKafka kafka = LocalKafka.start(settings, Duration.ofSeconds(60));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void everyShareGroupMemberTakesJobsFromEveryPartition(TestBroker broker) throws Exception {
    assumeTrue(broker.sharesPartitions(), "a container broker has Kafka's own assignor");
    String topic = broker.unique("queue");
    String group = broker.unique("workers");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      createTopic(admin, topic, 4);
      broker.startShareGroupAtEarliest(group);
      // Two jobs in one partition: with Kafka's own assignor only that partition's one member
      // could take them, the second waiting for the first.
      try (KafkaProducer<String, String> producer = producer(broker)) {
        producer.send(new ProducerRecord<>(topic, 0, null, "job-1")).get();
        producer.send(new ProducerRecord<>(topic, 0, null, "job-2")).get();
      }
      Map<String, Object> config =
          Map.of(
              "bootstrap.servers",
              broker.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG,
              group,
              ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG,
              "record_limit",
              ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
              1);
      try (KafkaShareConsumer<String, String> first =
              new KafkaShareConsumer<>(config, new StringDeserializer(), new StringDeserializer());
          KafkaShareConsumer<String, String> second =
              new KafkaShareConsumer<>(
                  config, new StringDeserializer(), new StringDeserializer())) {
        first.subscribe(List.of(topic));
        second.subscribe(List.of(topic));
        // Each holds the one job it polls (its lock lasts until the next poll), so both jobs are
        // taken at once only if both members were given partition 0.
        List<String> firstTook = new ArrayList<>();
        List<String> secondTook = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((firstTook.isEmpty() || secondTook.isEmpty()) && System.nanoTime() < deadline) {
          if (firstTook.isEmpty()) {
            first.poll(Duration.ofMillis(200)).forEach(r -> firstTook.add(r.value()));
          }
          if (secondTook.isEmpty()) {
            second.poll(Duration.ofMillis(200)).forEach(r -> secondTook.add(r.value()));
          }
        }
        assertThat(firstTook).as("the first member's job").hasSize(1);
        assertThat(secondTook).as("the second member's job").hasSize(1);
        assertThat(List.of(firstTook.get(0), secondTook.get(0)))
            .containsExactlyInAnyOrder("job-1", "job-2");
        ShareGroupDescription description =
            admin.describeShareGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
        assertThat(description.members())
            .hasSize(2)
            .allSatisfy(
                member ->
                    assertThat(member.assignment().topicPartitions())
                        .extracting(TopicPartition::partition)
                        .containsExactlyInAnyOrder(0, 1, 2, 3));
      }
    }
  }

  private static void createTopic(Admin admin, String topic, int partitions) throws Exception {
    admin
        .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
  }

  private static KafkaProducer<String, String> producer(TestBroker broker) {
    return new KafkaProducer<>(
        Map.of("bootstrap.servers", broker.bootstrapServers()),
        new StringSerializer(),
        new StringSerializer());
  }
}

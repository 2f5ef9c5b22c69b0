package dev.pipeline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * consumer-service processes are killed and added while 200,000 events flow; the store must end
 * with each event once, counted once, on SQLite and on PostgreSQL.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ExactlyOnceStoreIT {
  static final int EVENTS = 200_000;

  @TempDir Path dir;

  @Test
  void sqliteStoresEveryEventExactlyOnceThroughSigkillAndAJoiningProcess(TestBroker broker)
      throws Exception {
    sigkillAndJoin(broker, "jdbc:sqlite:" + dir.resolve("store.db"));
  }

  @Test
  void postgresStoresEveryEventExactlyOnceThroughSigkillAndAJoiningProcess(TestBroker broker)
      throws Exception {
    PostgresSchema.in(broker.unique("eo"), dbUrl -> sigkillAndJoin(broker, dbUrl));
  }

  @Test
  void sqliteStoresEventsSentTwiceOnce(TestBroker broker) throws Exception {
    sentTwice(broker, "jdbc:sqlite:" + dir.resolve("twice.db"));
  }

  @Test
  void postgresStoresEventsSentTwiceOnce(TestBroker broker) throws Exception {
    PostgresSchema.in(broker.unique("twice"), dbUrl -> sentTwice(broker, dbUrl));
  }

  /**
   * A producer that sends events again (new offsets, same ids): each is stored and counted once,
   * and the process says how many it skipped. This is the path off the fast one: COPY on
   * PostgreSQL, INSERT without RETURNING on SQLite.
   */
  private void sentTwice(TestBroker broker, String dbUrl) throws Exception {
    Topic topic = new Topic(broker.bootstrapServers(), broker.unique("twice")).create(3);
    new Topic(broker.bootstrapServers(), topic.name() + ".dlq").create(1);
    publish(topic, 0, 20_000);
    publish(topic, 10_000, 30_000);
    try (JavaProcess store =
        JavaProcess.start(
            "store-twice",
            ConsumerService.class,
            "--bootstrap",
            broker.bootstrapServers(),
            "--topic",
            topic.name(),
            "--group",
            broker.unique("store"),
            "--db-url",
            dbUrl,
            "--http-port",
            "0")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  count(dbUrl, "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets")
                      == 40_000);
      assertThat(count(dbUrl, "SELECT COUNT(*) FROM log_events")).isEqualTo(30_000);
      assertThat(count(dbUrl, "SELECT SUM(count) FROM log_counts")).isEqualTo(30_000);
      assertThat(
              store.lines().stream()
                  .map(SKIPPED::matcher)
                  .filter(java.util.regex.Matcher::find)
                  .mapToLong(m -> Long.parseLong(m.group(1)))
                  .sum())
          .as("duplicates reported")
          .isEqualTo(10_000);
    }
  }

  private static final java.util.regex.Pattern PROCESSED =
      java.util.regex.Pattern.compile("processed=(\\d+) ");

  private static final java.util.regex.Pattern SKIPPED =
      java.util.regex.Pattern.compile("Skipped (\\d+) duplicate event id");

  private void sigkillAndJoin(TestBroker broker, String dbUrl) throws Exception {
    Topic topic = new Topic(broker.bootstrapServers(), broker.unique("logs")).create(6);
    new Topic(broker.bootstrapServers(), topic.name() + ".dlq").create(1);
    String group = broker.unique("store");
    String[] args = {
      "--bootstrap",
      broker.bootstrapServers(),
      "--topic",
      topic.name(),
      "--group",
      group,
      "--db-url",
      dbUrl,
      "--http-port",
      "0",
      "--partitions",
      "3"
    };
    List<JavaProcess> all = new ArrayList<>();
    try {
      JavaProcess first = JavaProcess.start("store-1", ConsumerService.class, args);
      all.add(first);
      publish(topic, 0, 100_000);
      awaitStored(dbUrl, 30_000);
      first.kill();
      publish(topic, 100_000, 150_000);
      JavaProcess restarted = JavaProcess.start("store-1b", ConsumerService.class, args);
      all.add(restarted);
      awaitStored(dbUrl, 110_000);
      JavaProcess joining = JavaProcess.start("store-2", ConsumerService.class, args);
      all.add(joining);
      joining.awaitLine(line -> line.contains("Assigned"), Duration.ofSeconds(60));
      publish(topic, 150_000, EVENTS);
      Awaitility.await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> count(dbUrl, "SELECT COUNT(*) FROM log_events") >= EVENTS);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  count(dbUrl, "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets")
                      == EVENTS);
      // The joiner stored a share itself: its final report, written as SIGTERM stops it.
      joining.terminate(Duration.ofSeconds(60));
      assertThat(
              joining.lines().stream()
                  .map(PROCESSED::matcher)
                  .filter(java.util.regex.Matcher::find)
                  .mapToLong(m -> Long.parseLong(m.group(1)))
                  .max()
                  .orElse(0))
          .as("events the joining process stored")
          .isPositive();
    } finally {
      all.forEach(JavaProcess::close);
    }
    assertThat(count(dbUrl, "SELECT COUNT(*) FROM log_events")).isEqualTo(EVENTS);
    assertThat(count(dbUrl, "SELECT COUNT(DISTINCT id) FROM log_events")).isEqualTo(EVENTS);
    assertThat(count(dbUrl, "SELECT SUM(count) FROM log_counts"))
        .as("each event counted once")
        .isEqualTo(EVENTS);
    assertThat(all)
        .allSatisfy(
            p ->
                assertThat(p.lines())
                    .as("no Kafka redelivery reached the store")
                    .noneMatch(line -> line.contains("duplicate event id")));
  }

  private static void awaitStored(String dbUrl, long atLeast) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> count(dbUrl, "SELECT COUNT(*) FROM log_events") >= atLeast);
  }

  /** Publishes events e-FROM to e-(TO-1). */
  static void publish(Topic topic, int fromIndex, int toIndex) {
    MessageCodec codec = MessageCodec.standard();
    Instant now = Instant.now();
    int batch = 20_000;
    for (int from = fromIndex; from < toIndex; from += batch) {
      List<String> keys = new ArrayList<>();
      List<String> values = new ArrayList<>();
      IntStream.range(from, Math.min(toIndex, from + batch))
          .forEach(
              i -> {
                LogEvent event =
                    new LogEvent(
                        1,
                        "e-" + i,
                        now.plusMillis(i),
                        "svc" + (i % 5),
                        "host" + (i % 3),
                        LogEvent.Level.values()[i % 5],
                        "event number " + i,
                        null,
                        (long) (i % 100),
                        Map.of());
                keys.add(event.source());
                values.add(new String(codec.encode(event), StandardCharsets.UTF_8));
              });
      topic.send(keys, values);
    }
  }

  static long count(String dbUrl, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      if (e.getMessage() != null
          && (e.getMessage().contains("no such table")
              || e.getMessage().contains("does not exist"))) {
        return 0; // not migrated yet
      }
      throw e;
    }
  }
}

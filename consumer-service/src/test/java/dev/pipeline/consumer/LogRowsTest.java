package dev.pipeline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.runtime.Job;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows of log events, on real SQLite and PostgreSQL: values that need escaping in COPY's text
 * format come back as sent, and a batch holding ids already stored (the path off the fast insert)
 * stores and counts only the new ones.
 */
class LogRowsTest {
  /** Each of these once per event, in the message; they cross COPY's and SQL's special cases. */
  private static final List<String> AWKWARD =
      List.of(
          "tab\there", "new\nline", "cr\rlf", "back\\slash", "\\N", "ünïcödé ✓ 🚀", "quote ' \"");

  @Test
  void sqliteStoresAwkwardValuesAndSkipsKnownIds(@TempDir Path dir) throws Exception {
    storesAwkwardValuesAndSkipsKnownIds("jdbc:sqlite:" + dir.resolve("store.db"));
  }

  @Test
  void postgresStoresAwkwardValuesAndSkipsKnownIds() throws Exception {
    PostgresSchema.in("log_rows_test", this::storesAwkwardValuesAndSkipsKnownIds);
  }

  /**
   * PostgreSQL's driver encodes a COPY stream one chunk of characters at a time: a character
   * outside the BMP (two UTF-16 chars) split between two chunks would be stored as "??". Rows of
   * nothing but such characters, 900,000 chars in all, put many chunk ends inside one.
   */
  @Test
  void postgresStoresCharactersOutsideTheBmpWholeWhereverTheCopyStreamIsCut() throws Exception {
    PostgresSchema.in(
        "log_rows_emoji",
        dbUrl -> {
          Database database = new Database(dbUrl);
          database.migrate();
          String rockets = "\uD83D\uDE80".repeat(150) + "\uD83E\uDD80"; // 302 chars
          List<Job<LogEvent>> batch = new ArrayList<>();
          for (Job<LogEvent> job : events(0, 3_000)) {
            LogEvent e = job.message();
            LogEvent emoji =
                new LogEvent(
                    1,
                    e.id(),
                    e.timestamp(),
                    e.service(),
                    e.host(),
                    e.level(),
                    rockets,
                    null,
                    null,
                    Map.of());
            batch.add(new Job<>(emoji, job.topic(), 0, job.offset(), job.key(), 1, 1));
          }
          try (Connection connection = database.connect()) {
            connection.setAutoCommit(false);
            new LogRows(database.dialect()).insert(connection, batch);
            connection.commit();
            assertThat(
                    longOf(
                        connection,
                        "SELECT COUNT(*) FROM log_events WHERE message = '" + rockets + "'"))
                .isEqualTo(3_000);
          }
        });
  }

  private void storesAwkwardValuesAndSkipsKnownIds(String dbUrl) throws Exception {
    Database database = new Database(dbUrl);
    database.migrate();
    LogRows rows = new LogRows(database.dialect());
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      // 1,203 rows: two full 500-row statements and a partial one.
      rows.insert(connection, events(0, 1_203));
      connection.commit();
      // Half known, half new: only the new ones are stored and counted.
      rows.insert(connection, events(1_000, 1_400));
      connection.commit();

      assertThat(longOf(connection, "SELECT COUNT(*) FROM log_events")).isEqualTo(1_400);
      assertThat(longOf(connection, "SELECT SUM(count) FROM log_counts")).isEqualTo(1_400);
      try (Statement statement = connection.createStatement();
          ResultSet stored =
              statement.executeQuery(
                  "SELECT id, message, trace_id, latency_ms, attributes FROM log_events"
                      + " WHERE id IN ('e-0', 'e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6') ORDER BY id")) {
        for (int i = 0; i < AWKWARD.size(); i++) {
          assertThat(stored.next()).isTrue();
          assertThat(stored.getString("message")).isEqualTo(message(i));
          assertThat(stored.getString("trace_id")).isEqualTo(i % 2 == 0 ? null : "t\t" + i);
          assertThat(stored.getObject("latency_ms")).isNull();
          assertThat(stored.getString("attributes")).isEqualTo("{\"k\\\\t\":\"v\\n\"}");
        }
      }
    }
  }

  private static List<Job<LogEvent>> events(int from, int to) {
    Instant start = Instant.parse("2026-11-28T12:00:00Z");
    List<Job<LogEvent>> batch = new ArrayList<>();
    IntStream.range(from, to)
        .forEach(
            i ->
                batch.add(
                    new Job<>(
                        new LogEvent(
                            1,
                            "e-" + i,
                            start.plusSeconds(i),
                            "svc" + (i % 3),
                            "host",
                            LogEvent.Level.values()[i % 5],
                            message(i),
                            i % 2 == 0 ? null : "t\t" + i,
                            null,
                            Map.of("k\\t", "v\n")),
                        "logs.events",
                        0,
                        i,
                        "svc",
                        1,
                        1)));
    return batch;
  }

  private static String message(int i) {
    return "event " + i + ": " + AWKWARD.get(i % AWKWARD.size());
  }

  private static long longOf(Connection connection, String sql) throws Exception {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}

package dev.pipeline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.LogEvent.Level;
import dev.pipeline.core.runtime.Job;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches on real SQLite and PostgreSQL: every filter finds what a scan in Java finds, and a
 * search for a rare level by service goes through the partial index of migration V5.
 */
class LogQueriesTest {
  private static final int EVENTS = 20_000;
  private static final Instant START = Instant.now().minus(Duration.ofHours(2));

  @Test
  void sqliteSearchesFindWhatAScanFinds(@TempDir Path dir) throws Exception {
    searchesFindWhatAScanFinds("jdbc:sqlite:" + dir.resolve("store.db"));
  }

  @Test
  void postgresSearchesFindWhatAScanFinds() throws Exception {
    PostgresSchema.in("log_queries_test", this::searchesFindWhatAScanFinds);
  }

  private void searchesFindWhatAScanFinds(String dbUrl) throws Exception {
    Database database = new Database(dbUrl);
    database.migrate();
    List<LogEvent> events = events();
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      new LogRows(database.dialect())
          .insert(connection, events.stream().map(LogQueriesTest::job).toList());
      connection.commit();
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            database.dialect() == Database.Dialect.SQLITE ? "ANALYZE" : "ANALYZE log_events");
      }
    }
    LogQueries queries = new LogQueries(database);
    for (Level level : new Level[] {null, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR}) {
      for (String service : new String[] {null, "svc3", "nowhere"}) {
        for (Duration since : new Duration[] {null, Duration.ofMinutes(30)}) {
          LogQueries.Filter filter = new LogQueries.Filter(level, service, null, since, 25);
          assertThat(ids(queries.search(filter)))
              .as("level %s, service %s, since %s", level, service, since)
              .isEqualTo(expected(events, level, service, since, 25));
        }
      }
    }
    assertThat(ids(queries.search(new LogQueries.Filter(Level.ERROR, null, "2 %", null, 10))))
        .isEqualTo(
            events.stream()
                .filter(e -> e.level() == Level.ERROR && e.message().contains("2 %"))
                .sorted(newestFirst())
                .limit(10)
                .map(LogEvent::id)
                .toList());

    for (Level rare : new Level[] {Level.WARN, Level.ERROR}) {
      assertThat(plan(database, rare)).as(rare.name()).contains("log_events_rare_levels");
    }
  }

  /**
   * 20,000 events over the last two hours and 8 services, 2% ERROR and 8% WARN as the generator
   * makes them. None lies within 40 s of 30 minutes ago, so the time this test takes cannot move
   * one across the boundary of the 30-minute searches.
   */
  private static List<LogEvent> events() {
    List<LogEvent> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      if (i >= 14_990 && i < 15_100) {
        continue; // 90 minutes after START: 30 minutes ago, give or take 40 s
      }
      int roll = (i * 37) % 100;
      Level level =
          roll < 2 ? Level.ERROR : roll < 10 ? Level.WARN : roll < 25 ? Level.DEBUG : Level.INFO;
      events.add(
          new LogEvent(
              1,
              "e-" + String.format("%06d", i),
              START.plusMillis(i * 360L),
              "svc" + (i % 8),
              "host",
              level,
              "event " + i + " at " + (i % 50) + " %",
              null,
              null,
              Map.of()));
    }
    return events;
  }

  private static Job<LogEvent> job(LogEvent event) {
    return new Job<>(event, "logs.events", 0, 0, event.service(), 1, 1);
  }

  private static List<String> expected(
      List<LogEvent> events,
      @Nullable Level level,
      @Nullable String service,
      @Nullable Duration since,
      int limit) {
    Instant from = since == null ? Instant.MIN : Instant.now().minus(since);
    Predicate<LogEvent> matches =
        e ->
            (level == null || e.level() == level)
                && (service == null || e.service().equals(service))
                && !e.timestamp().isBefore(from);
    return events.stream()
        .filter(matches)
        .sorted(newestFirst())
        .limit(limit)
        .map(LogEvent::id)
        .toList();
  }

  private static Comparator<LogEvent> newestFirst() {
    return Comparator.comparing(LogEvent::timestamp).reversed().thenComparing(LogEvent::id);
  }

  private static List<String> ids(List<LogQueries.Found> found) {
    return found.stream().map(LogQueries.Found::id).toList();
  }

  /** The plan the store's planner chose for the search of one rare level of one service. */
  private static String plan(Database database, Level level) throws Exception {
    LogQueries.Sql search =
        LogQueries.searchSql(new LogQueries.Filter(level, "svc3", null, null, 25));
    boolean sqlite = database.dialect() == Database.Dialect.SQLITE;
    LogQueries.Sql explain =
        new LogQueries.Sql(
            (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + search.text(), search.parameters());
    StringBuilder plan = new StringBuilder();
    try (Connection connection = database.connect();
        PreparedStatement statement = explain.prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        plan.append(rows.getString(sqlite ? 4 : 1)).append('\n');
      }
    }
    return plan.toString();
  }
}

package dev.pipeline.consumer;

import dev.pipeline.core.message.LogEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads the store: counts per level and service over a window, and a filtered event search. */
final class LogQueries {
  static final int MAX_LIMIT = 10_000;

  /** The levels the (service, level, ts) index holds, as migration V5 made it. */
  private static final Set<LogEvent.Level> RARE_LEVELS =
      EnumSet.of(LogEvent.Level.WARN, LogEvent.Level.ERROR);

  private static final String RARE_LEVELS_PREDICATE = "level IN ('WARN', 'ERROR')";

  private final Database database;

  LogQueries(Database database) {
    this.database = database;
  }

  /** Counts since {@code since} ago, from the per-minute counts, plus the total stored. */
  record Stats(
      Instant from,
      Instant to,
      long events,
      double eventsPerSecond,
      Map<String, Long> byLevel,
      Map<String, Long> byService,
      long totalStored) {}

  Stats stats(Duration since) throws SQLException {
    Instant to = Instant.now();
    Instant from = to.minus(since);
    long fromMinute = from.toEpochMilli() / 60_000 * 60_000;
    Map<String, Long> byLevel = new LinkedHashMap<>();
    for (LogEvent.Level level : LogEvent.Level.values()) {
      byLevel.put(level.name(), 0L);
    }
    Map<String, Long> byService = new java.util.TreeMap<>();
    long events = 0;
    long total;
    try (Connection connection = database.connect();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT service, level, SUM(count) FROM log_counts WHERE minute >= ? GROUP BY service, level")) {
      select.setLong(1, fromMinute);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          long count = rs.getLong(3);
          byService.merge(rs.getString(1), count, Long::sum);
          byLevel.merge(rs.getString(2), count, Long::sum);
          events += count;
        }
      }
      try (PreparedStatement count =
              connection.prepareStatement("SELECT COUNT(*) FROM log_events");
          ResultSet rs = count.executeQuery()) {
        rs.next();
        total = rs.getLong(1);
      }
    }
    double seconds =
        Math.max(1, Duration.between(Instant.ofEpochMilli(fromMinute), to).toMillis() / 1000.0);
    return new Stats(from, to, events, events / seconds, byLevel, byService, total);
  }

  /** What to look for; null fields match everything. */
  record Filter(
      LogEvent.@Nullable Level level,
      @Nullable String service,
      @Nullable String grep,
      @Nullable Duration since,
      int limit) {
    Filter {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be 1-" + MAX_LIMIT + ": " + limit);
      }
    }
  }

  /** A stored event as the search returns it. */
  record Found(
      String id,
      Instant timestamp,
      String service,
      String host,
      String level,
      String message,
      @Nullable String traceId,
      @Nullable Long latencyMs) {}

  /** Returns matching events, newest first. {@code grep} matches the message, ignoring case. */
  List<Found> search(Filter filter) throws SQLException {
    Sql query = searchSql(filter);
    List<Found> found = new ArrayList<>();
    try (Connection connection = database.connect();
        PreparedStatement select = query.prepare(connection)) {
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          long latency = rs.getLong(8);
          Long latencyMs = rs.wasNull() ? null : latency;
          found.add(
              new Found(
                  rs.getString(1),
                  Instant.ofEpochMilli(rs.getLong(2)),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  latencyMs));
        }
      }
    }
    return found;
  }

  /** A statement and its parameters. */
  record Sql(String text, List<Object> parameters) {
    /** Returns the statement with its parameters set; the caller closes it. */
    PreparedStatement prepare(Connection connection) throws SQLException {
      PreparedStatement statement = connection.prepareStatement(text);
      try {
        for (int i = 0; i < parameters.size(); i++) {
          statement.setObject(i + 1, parameters.get(i));
        }
        return statement;
      } catch (SQLException e) {
        statement.close();
        throw e;
      }
    }
  }

  /** The search's SQL: the filter's terms, newest first. */
  static Sql searchSql(Filter filter) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, ts, service, host, level, message, trace_id, latency_ms FROM log_events WHERE 1 = 1");
    List<Object> parameters = new ArrayList<>();
    if (filter.since() != null) {
      sql.append(" AND ts >= ?");
      parameters.add(Instant.now().minus(filter.since()).toEpochMilli());
    }
    if (filter.level() != null) {
      sql.append(" AND level = ?");
      parameters.add(filter.level().name());
      if (RARE_LEVELS.contains(filter.level())) {
        // The partial index's own predicate: SQLite uses such an index only when the query
        // states it (it does not infer it from level = ?).
        sql.append(" AND ").append(RARE_LEVELS_PREDICATE);
      }
    }
    if (filter.service() != null) {
      sql.append(" AND service = ?");
      parameters.add(filter.service());
    }
    if (filter.grep() != null) {
      sql.append(" AND LOWER(message) LIKE ? ESCAPE '\\'");
      parameters.add("%" + escapeLike(filter.grep().toLowerCase(Locale.ROOT)) + "%");
    }
    sql.append(" ORDER BY ts DESC, id LIMIT ?");
    parameters.add(filter.limit());
    return new Sql(sql.toString(), parameters);
  }

  private static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  /** Parses durations such as 30s, 10m, 2h, 7d. */
  static Duration parseDuration(String text) {
    if (!text.matches("\\d{1,9}[smhd]")) {
      throw new IllegalArgumentException("expected a duration such as 30s, 10m, 2h or 7d: " + text);
    }
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      case 'h' -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}

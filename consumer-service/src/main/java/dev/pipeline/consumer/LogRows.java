package dev.pipeline.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.runtime.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The rows of a batch of log events: the events, keyed by id (duplicates skipped), and the
 * per-minute × service × level counts of the rows actually inserted.
 */
final class LogRows implements TransactionalSink.Rows<LogEvent> {

  /**
   * Rows per INSERT statement: 10 parameters each stays far below SQLite's and PostgreSQL's limits.
   */
  private static final int ROWS_PER_STATEMENT = 500;

  private static final String COLUMNS =
      "id, ts, service, host, level, message, trace_id, latency_ms, attributes, stored_at";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final ObjectMapper json = new ObjectMapper();
  // A full chunk's statement, prepared once per connection (the sink replaces broken ones).
  private @Nullable PreparedStatement fullInsert;
  private @Nullable Connection fullInsertConnection;

  @Override
  public void insert(Connection connection, List<Job<LogEvent>> batch) throws Exception {
    Map<CountKey, Long> counts = new HashMap<>();
    long storedAt = System.currentTimeMillis();
    for (int from = 0; from < batch.size(); from += ROWS_PER_STATEMENT) {
      insertEvents(
          connection,
          batch.subList(from, Math.min(batch.size(), from + ROWS_PER_STATEMENT)),
          storedAt,
          counts);
    }
    addCounts(connection, counts);
  }

  private void insertEvents(
      Connection connection, List<Job<LogEvent>> rows, long storedAt, Map<CountKey, Long> counts)
      throws SQLException, JsonProcessingException {
    // Full chunks reuse one prepared statement: preparing a 5,000-parameter statement costs more
    // than running it on SQLite.
    boolean full = rows.size() == ROWS_PER_STATEMENT;
    PreparedStatement insert =
        full ? fullInsert(connection) : connection.prepareStatement(insertSql(rows.size()));
    try {
      int i = 1;
      for (Job<LogEvent> job : rows) {
        LogEvent e = job.message();
        insert.setString(i++, e.id());
        insert.setLong(i++, e.timestamp().toEpochMilli());
        insert.setString(i++, e.service());
        insert.setString(i++, e.host());
        insert.setString(i++, e.level().name());
        insert.setString(i++, e.message());
        insert.setString(i++, e.traceId());
        if (e.latencyMs() == null) {
          insert.setNull(i++, Types.BIGINT);
        } else {
          insert.setLong(i++, e.latencyMs());
        }
        insert.setString(
            i++, e.attributes().isEmpty() ? null : json.writeValueAsString(e.attributes()));
        insert.setLong(i++, storedAt);
      }
      try (ResultSet inserted = insert.executeQuery()) {
        while (inserted.next()) {
          counts.merge(
              new CountKey(
                  inserted.getLong(3) / 60_000 * 60_000,
                  inserted.getString(1),
                  inserted.getString(2)),
              1L,
              Long::sum);
        }
      }
    } finally {
      if (!full) {
        insert.close();
      }
    }
  }

  private static String insertSql(int rows) {
    return "INSERT INTO log_events ("
        + COLUMNS
        + ") VALUES "
        + String.join(", ", java.util.Collections.nCopies(rows, ROW))
        + " ON CONFLICT (id) DO NOTHING RETURNING service, level, ts";
  }

  private PreparedStatement fullInsert(Connection connection) throws SQLException {
    if (fullInsert == null || fullInsertConnection != connection || fullInsert.isClosed()) {
      fullInsert = connection.prepareStatement(insertSql(ROWS_PER_STATEMENT));
      fullInsertConnection = connection;
    }
    return fullInsert;
  }

  private record CountKey(long minute, String service, String level) {}

  private static void addCounts(Connection connection, Map<CountKey, Long> counts)
      throws SQLException {
    if (counts.isEmpty()) {
      return;
    }
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO log_counts (minute, service, level, count) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (minute, service, level) DO UPDATE SET count = log_counts.count + excluded.count")) {
      for (Map.Entry<CountKey, Long> count : counts.entrySet()) {
        upsert.setLong(1, count.getKey().minute());
        upsert.setString(2, count.getKey().service());
        upsert.setString(3, count.getKey().level());
        upsert.setLong(4, count.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }
}

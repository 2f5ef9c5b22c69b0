package dev.pipeline.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.runtime.BatchSink;
import dev.pipeline.core.runtime.Job;
import dev.pipeline.core.runtime.RetriableJobException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores log events exactly once: each batch's rows, per-minute counts and the Kafka offsets it
 * reaches are written in one transaction. Event ids are primary keys and duplicates are skipped (a
 * second guard), and counts only include the rows actually inserted.
 */
final class LogStore implements BatchSink<LogEvent> {
  private static final Logger log = LoggerFactory.getLogger(LogStore.class);

  /**
   * Rows per INSERT statement: 10 parameters each stays far below SQLite's and PostgreSQL's limits.
   */
  private static final int ROWS_PER_STATEMENT = 500;

  private static final String COLUMNS =
      "id, ts, service, host, level, message, trace_id, latency_ms, attributes, stored_at";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Database database;
  private final String group;
  private final ObjectMapper json = new ObjectMapper();
  // The writer connection: batches come from the poll thread(s), one at a time per connection.
  private @Nullable Connection writer;
  // Belongs to the writer connection; closed with it.
  private @Nullable PreparedStatement fullInsert;

  LogStore(Database database, String group) {
    this.database = database;
    this.group = group;
  }

  @Override
  public synchronized Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions)
      throws SQLException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (PreparedStatement select =
        writer()
            .prepareStatement(
                "SELECT next_offset FROM consumer_offsets WHERE consumer_group = ? AND topic = ? AND partition_id = ?")) {
      for (TopicPartition partition : partitions) {
        select.setString(1, group);
        select.setString(2, partition.topic());
        select.setInt(3, partition.partition());
        try (ResultSet rs = select.executeQuery()) {
          if (rs.next()) {
            offsets.put(partition, rs.getLong(1));
          }
        }
      }
      writer().commit();
    }
    return offsets;
  }

  @Override
  public synchronized void write(List<Job<LogEvent>> batch, Map<TopicPartition, Long> nextOffsets)
      throws Exception {
    Connection connection = writer();
    try {
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
      storeOffsets(connection, nextOffsets);
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly(connection);
      if (isRetriable(e)) {
        closeWriter();
        throw new RetriableJobException("store is busy or unreachable: " + e.getMessage(), e);
      }
      throw e;
    }
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
    if (fullInsert == null || fullInsert.isClosed()) {
      fullInsert = connection.prepareStatement(insertSql(ROWS_PER_STATEMENT));
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

  private void storeOffsets(Connection connection, Map<TopicPartition, Long> nextOffsets)
      throws SQLException {
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO consumer_offsets (consumer_group, topic, partition_id, next_offset) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (consumer_group, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset "
                // A process that lost the partition a moment ago must not move it backwards.
                + "WHERE consumer_offsets.next_offset < excluded.next_offset")) {
      for (Map.Entry<TopicPartition, Long> offset : nextOffsets.entrySet()) {
        upsert.setString(1, group);
        upsert.setString(2, offset.getKey().topic());
        upsert.setInt(3, offset.getKey().partition());
        upsert.setLong(4, offset.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  /**
   * Busy SQLite, lost or refused connections, and PostgreSQL serialization or deadlock failures.
   */
  private boolean isRetriable(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage() == null ? "" : e.getMessage();
    return state.startsWith("08")
        || state.equals("40001")
        || state.equals("40P01")
        || state.equals("57P01")
        || message.contains("SQLITE_BUSY")
        || message.contains("SQLITE_LOCKED");
  }

  private Connection writer() throws SQLException {
    if (writer == null || writer.isClosed()) {
      writer = database.connect();
      writer.setAutoCommit(false);
    }
    return writer;
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; it is replaced on the next write
    }
  }

  private void closeWriter() {
    try {
      if (writer != null) {
        writer.close();
      }
      fullInsert = null;
    } catch (SQLException ignored) {
      // already broken
    }
    writer = null;
  }

  synchronized void close() {
    closeWriter();
  }
}

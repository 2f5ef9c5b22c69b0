package dev.pipeline.consumer;

import dev.pipeline.core.runtime.BatchSink;
import dev.pipeline.core.runtime.Job;
import dev.pipeline.core.runtime.RetriableJobException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Stores a topic exactly once: each batch's rows and the Kafka offsets it reaches are written in
 * one transaction, and on assignment the worker resumes from the stored offsets. The rows
 * themselves are keyed by the message's id and written insert-or-ignore, a second guard.
 */
final class TransactionalSink<T> implements BatchSink<T> {

  /** Writes one batch's rows inside the open transaction; what a table adds to the sink. */
  interface Rows<T> {
    void insert(Connection connection, List<Job<T>> batch) throws Exception;
  }

  private final Database database;
  private final String group;
  private final Rows<T> rows;
  // Batches come from the poll thread(s) one at a time: one writer connection, used under the lock.
  private @Nullable Connection writer;

  TransactionalSink(Database database, String group, Rows<T> rows) {
    this.database = database;
    this.group = group;
    this.rows = rows;
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
  public synchronized void write(List<Job<T>> batch, Map<TopicPartition, Long> nextOffsets)
      throws Exception {
    Connection connection = writer();
    try {
      rows.insert(connection, batch);
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
  private static boolean isRetriable(SQLException e) {
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
    } catch (SQLException ignored) {
      // already broken
    }
    writer = null;
  }

  synchronized void close() {
    closeWriter();
  }
}

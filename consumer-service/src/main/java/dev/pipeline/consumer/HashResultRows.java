package dev.pipeline.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.runtime.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.List;

/**
 * The rows of a batch of hash results, keyed by job id: a job redelivered after its worker died may
 * publish a second result, and the first one stored stays.
 */
final class HashResultRows implements TransactionalSink.Rows<HashResult> {
  private final ObjectMapper json = new ObjectMapper();

  @Override
  public void insert(Connection connection, List<Job<HashResult>> batch) throws Exception {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO hash_results (job_id, source, size, digests, mtime, duration_ms, worker, error, verified, stored_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING")) {
      long storedAt = System.currentTimeMillis();
      for (Job<HashResult> job : batch) {
        HashResult r = job.message();
        insert.setString(1, r.jobId());
        insert.setString(2, r.source());
        insert.setLong(3, r.size());
        insert.setString(4, json.writeValueAsString(r.digests()));
        if (r.mtime() == null) {
          insert.setNull(5, Types.BIGINT);
        } else {
          insert.setLong(5, r.mtime().toEpochMilli());
        }
        insert.setLong(6, r.durationMs());
        insert.setString(7, r.worker());
        insert.setString(8, r.error());
        if (r.verified() == null) {
          insert.setNull(9, Types.SMALLINT);
        } else {
          insert.setInt(9, r.verified() ? 1 : 0);
        }
        insert.setLong(10, storedAt);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}

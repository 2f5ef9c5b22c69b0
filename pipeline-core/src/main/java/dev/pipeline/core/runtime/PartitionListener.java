package dev.pipeline.core.runtime;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * Told when a consumer-group worker gains or loses partitions, for a handler that keeps state per
 * partition (the crawler's seen URLs). A {@link JobHandler} that also implements it is told by the
 * runtime. Both run on the poll thread.
 */
public interface PartitionListener {
  /** Runs before any record of {@code partitions} is handed out; may block to restore state. */
  void assigned(Collection<TopicPartition> partitions);

  /**
   * Runs when {@code partitions} are about to be taken away (a rebalance, or the worker stopping),
   * before the runtime waits for their jobs: a handler holding jobs that have not really begun can
   * fail them with {@link JobAbandonedException} so the wait is short.
   */
  default void revoking(Collection<TopicPartition> partitions) {}

  /**
   * Runs once {@code partitions} are no longer ours: after their jobs finished and were committed,
   * or at once when they were lost to another member.
   */
  void revoked(Collection<TopicPartition> partitions);

  PartitionListener NONE =
      new PartitionListener() {
        @Override
        public void assigned(Collection<TopicPartition> partitions) {}

        @Override
        public void revoked(Collection<TopicPartition> partitions) {}
      };
}

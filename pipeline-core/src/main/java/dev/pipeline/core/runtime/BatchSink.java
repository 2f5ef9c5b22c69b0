package dev.pipeline.core.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A store that keeps consumed offsets in the same transaction as the data, for an exactly-once
 * effect: after any crash the worker resumes from the offsets the store holds, so a record is
 * written once or, if its transaction did not commit, again from the start.
 *
 * <p>Calls come from one poll thread per consumer; a process with several consumers calls from
 * several threads at once.
 */
public interface BatchSink<T> {

  /**
   * Returns the next offset to read for each of {@code partitions} that the store has seen; a
   * partition it has never stored anything for is left out (the worker then starts it at the
   * group's committed offset, or the earliest).
   */
  Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) throws Exception;

  /**
   * Writes {@code batch} and, in the same transaction, {@code nextOffsets}: for each partition the
   * offset after its last record in this batch (invalid records included: they went to the
   * dead-letter topic). Throws {@link RetriableJobException} for a failure worth retrying.
   */
  void write(List<Job<T>> batch, Map<TopicPartition, Long> nextOffsets) throws Exception;
}

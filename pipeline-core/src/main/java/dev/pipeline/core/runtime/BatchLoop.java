package dev.pipeline.core.runtime;

import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer-group poll loop for a {@link BatchSink}: each poll's valid records are written as one
 * batch together with the offsets they reach, invalid ones are dead-lettered first. On assignment
 * the consumer seeks to the offsets the store holds, so the store, not Kafka's commits, decides
 * where reading resumes. Kafka's committed offsets are updated afterwards only so that lag shows.
 *
 * <p>One batch is written while the next is polled and decoded, on a thread of its own: decoding
 * costs about as much as storing, so the two overlap instead of taking turns. Polls that arrive
 * while a batch is being written join the next batch (up to {@link #MAX_BATCH_RECORDS}): under load
 * the batches grow until a transaction's fixed costs (round trips, the commit's flush) stop
 * mattering, and at a trickle each poll is still written at once. Batches are stored one at a time
 * and in order, and a rebalance stores what is pending first.
 */
final class BatchLoop<T> implements PollLoop {
  private static final Logger log = LoggerFactory.getLogger(BatchLoop.class);
  static final int MAX_BATCH_RECORDS = 20_000;
  // While records wait for the batch being written, poll briefly: they go as soon as it is stored.
  private static final Duration PENDING_POLL = Duration.ofMillis(5);

  private final Consumer<byte[], byte[]> consumer;
  private final Class<T> type;
  private final BatchSink<T> sink;
  private final DeadLetterWriter deadLetters;
  private final RetryPolicy retryPolicy;
  private final WorkerMetrics metrics;
  private final WorkerSettings settings;
  private final MessageCodec codec = MessageCodec.standard();
  private volatile boolean running = true;
  private volatile boolean failed;
  private final ExecutorService writer;
  // The batch being written, with the offsets to commit to Kafka once it is stored.
  private CompletableFuture<Map<TopicPartition, Long>> inFlight =
      CompletableFuture.completedFuture(Map.of());
  // Polled and decoded, waiting for the batch in flight: the next batch.
  private Pending<T> pending = new Pending<>();

  /** The next batch, as polls add to it: its jobs, its dead letters and the offsets it reaches. */
  private static final class Pending<T> {
    final List<Job<T>> batch = new ArrayList<>();
    final List<CompletableFuture<?>> deadLettered = new ArrayList<>();
    final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    int records;
    long startNanos;

    boolean isEmpty() {
      return records == 0;
    }
  }

  BatchLoop(
      Consumer<byte[], byte[]> consumer,
      Class<T> type,
      BatchSink<T> sink,
      DeadLetterWriter deadLetters,
      RetryPolicy retryPolicy,
      WorkerMetrics metrics,
      WorkerSettings settings) {
    this.consumer = consumer;
    this.type = type;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.retryPolicy = retryPolicy;
    this.metrics = metrics;
    this.settings = settings;
    this.writer =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name(settings.service() + "-store").factory());
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(settings.topics(), new SeekToStored());
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(pending.isEmpty() ? settings.pollTimeout() : PENDING_POLL);
        } catch (WakeupException e) {
          continue;
        }
        if (inFlight.isDone()) {
          awaitInFlight(); // its offsets go to Kafka now, its failure stops the loop now
        }
        if (!records.isEmpty()) {
          decode(records);
        }
        if (!pending.isEmpty() && (inFlight.isDone() || pending.records >= MAX_BATCH_RECORDS)) {
          storePending();
        }
      }
      storePending(); // a graceful stop stores what it has decoded
      awaitInFlight();
    } catch (RuntimeException e) {
      failed = true;
      log.error(
          "Batch loop of {} failed; the store's offsets say where to resume", settings.group(), e);
    } finally {
      writer.shutdownNow();
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
    }
  }

  /** Decodes a poll's records into the pending batch; invalid ones are dead-lettered. */
  private void decode(ConsumerRecords<byte[], byte[]> records) {
    if (pending.isEmpty()) {
      pending.startNanos = System.nanoTime();
    }
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> inPartition = records.records(partition);
      pending.nextOffsets.put(partition, inPartition.get(inPartition.size() - 1).offset() + 1);
      for (ConsumerRecord<byte[], byte[]> record : inPartition) {
        metrics.started();
        decode(record, pending.batch, pending.deadLettered);
      }
    }
    pending.records += records.count();
  }

  /** Waits for the batch in flight, then hands the pending one to the writer. */
  private void storePending() {
    if (pending.isEmpty()) {
      return;
    }
    Pending<T> next = pending;
    pending = new Pending<>();
    awaitInFlight();
    inFlight =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                // Dead letters must be in Kafka before the offsets past them are stored.
                CompletableFuture.allOf(next.deadLettered.toArray(CompletableFuture[]::new)).join();
                writeWithRetries(next.batch, next.nextOffsets);
                metrics.processed(next.batch.size(), next.startNanos);
                return next.nextOffsets;
              } finally {
                for (int i = 0; i < next.records; i++) {
                  metrics.ended();
                }
              }
            },
            writer);
  }

  /**
   * Waits for the batch in flight to be stored, then tells Kafka its offsets (on the poll thread:
   * the consumer is not thread-safe). A batch that could not be stored stops the loop.
   */
  private void awaitInFlight() {
    Map<TopicPartition, Long> stored;
    try {
      stored = inFlight.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    inFlight = CompletableFuture.completedFuture(Map.of());
    if (!stored.isEmpty()) {
      consumer.commitAsync(toCommit(stored), null);
    }
  }

  private void decode(
      ConsumerRecord<byte[], byte[]> record,
      List<Job<T>> batch,
      List<CompletableFuture<?>> deadLettered) {
    try {
      T message = codec.decode(record.value(), type);
      String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
      batch.add(new Job<>(message, record.topic(), record.partition(), record.offset(), key, 1, 1));
    } catch (InvalidMessageException e) {
      log.warn(
          "Dead-lettering {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
      deadLettered.add(deadLetters.write(record, e, 1).thenRun(metrics::deadLettered));
    }
  }

  private void writeWithRetries(List<Job<T>> batch, Map<TopicPartition, Long> nextOffsets) {
    for (int attempt = 1; ; attempt++) {
      try {
        sink.write(batch, nextOffsets);
        return;
      } catch (Exception e) {
        if (!retryPolicy.shouldRetry(e, attempt) || !running) {
          throw new IllegalStateException(
              "cannot store a batch of "
                  + batch.size()
                  + " after "
                  + attempt
                  + " attempt(s): "
                  + e.getMessage(),
              e);
        }
        metrics.retried();
        long delay = retryPolicy.delayAfter(attempt).toMillis();
        log.warn(
            "Storing a batch failed (attempt {}), retrying in {} ms: {}",
            attempt,
            delay,
            e.toString());
        try {
          Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while retrying a batch", interrupted);
        }
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> toCommit(
      Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
    return commit;
  }

  @Override
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public boolean failed() {
    return failed;
  }

  /** Runs on the poll thread, inside poll(): starts each new partition where the store left it. */
  private final class SeekToStored implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      awaitInFlight();
      Map<TopicPartition, Long> stored;
      try {
        stored = sink.storedOffsets(partitions);
      } catch (Exception e) {
        throw new IllegalStateException("cannot read stored offsets: " + e.getMessage(), e);
      }
      stored.forEach(consumer::seek);
      log.info(
          "Assigned {} partition(s): {}, {} resumed from stored offsets",
          partitions.size(),
          partitions,
          stored.size());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // The batches in flight and pending may hold these partitions' records: store them before
      // the partitions move on.
      storePending();
      awaitInFlight();
    }
  }
}

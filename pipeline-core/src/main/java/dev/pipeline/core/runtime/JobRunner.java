package dev.pipeline.core.runtime;

import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that runs service code on a record and decides what a failure means: decode and
 * validate, run the handler on the pool, retry retriable failures with backoff, dead-letter the
 * rest. The returned future completes when the record is done with (processed or dead-lettered); it
 * fails only if the dead letter itself could not be written, and then the record must not be
 * committed.
 */
final class JobRunner<T> {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** How a record ended. ABANDONED: its job never began because the record stopped being ours. */
  enum Outcome {
    PROCESSED,
    DEAD_LETTERED,
    ABANDONED
  }

  private final Class<T> type;
  private final JobHandler<T> handler;
  private final JobPool pool;
  private final ScheduledExecutorService retries;
  private final RetryPolicy retryPolicy;
  private final DeadLetterWriter deadLetters;
  private final WorkerMetrics metrics;
  private final MessageCodec codec = MessageCodec.standard();

  JobRunner(
      Class<T> type,
      JobHandler<T> handler,
      JobPool pool,
      ScheduledExecutorService retries,
      RetryPolicy retryPolicy,
      DeadLetterWriter deadLetters,
      WorkerMetrics metrics) {
    this.type = type;
    this.handler = handler;
    this.pool = pool;
    this.retries = retries;
    this.retryPolicy = retryPolicy;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  /**
   * Runs the job of {@code record}. {@code owned} is asked just before each attempt begins; when it
   * says no (partition revoked, worker stopping) the record is abandoned, unprocessed.
   */
  CompletableFuture<Outcome> run(
      ConsumerRecord<byte[], byte[]> record, int deliveryCount, BooleanSupplier owned) {
    long startNanos = System.nanoTime();
    metrics.started();
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    done.whenComplete((outcome, error) -> metrics.ended());
    T message;
    try {
      message = codec.decode(record.value(), type);
    } catch (InvalidMessageException e) {
      deadLetter(record, e, 1, done);
      return done;
    }
    attempt(record, message, 1, deliveryCount, owned, startNanos, done);
    return done;
  }

  private void attempt(
      ConsumerRecord<byte[], byte[]> record,
      T message,
      int attempt,
      int deliveryCount,
      BooleanSupplier owned,
      long startNanos,
      CompletableFuture<Outcome> done) {
    pool.execute(
        () -> {
          if (!owned.getAsBoolean()) {
            done.complete(Outcome.ABANDONED);
            return;
          }
          String key =
              record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
          Job<T> job =
              new Job<>(
                  message,
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  key,
                  attempt,
                  deliveryCount);
          CompletionStage<?> stage;
          try {
            stage = handler.handle(job);
          } catch (Exception | LinkageError | AssertionError e) {
            stage = CompletableFuture.failedFuture(e);
          }
          stage.whenComplete(
              (ignored, error) -> {
                if (error == null) {
                  metrics.processed(startNanos);
                  done.complete(Outcome.PROCESSED);
                  return;
                }
                Throwable failure = unwrap(error);
                if (failure instanceof JobAbandonedException) {
                  done.complete(Outcome.ABANDONED);
                  return;
                }
                if (retryPolicy.shouldRetry(failure, attempt)) {
                  metrics.retried();
                  long delay = retryPolicy.delayAfter(attempt).toMillis();
                  log.debug(
                      "Retrying {}-{}@{} in {} ms after: {}",
                      record.topic(),
                      record.partition(),
                      record.offset(),
                      delay,
                      failure.toString());
                  retries.schedule(
                      () ->
                          attempt(
                              record, message, attempt + 1, deliveryCount, owned, startNanos, done),
                      delay,
                      TimeUnit.MILLISECONDS);
                } else {
                  metrics.failed();
                  deadLetter(record, failure, attempt, done);
                }
              });
        });
  }

  /** Dead-letters {@code record} without running its job. */
  CompletableFuture<Outcome> deadLetter(
      ConsumerRecord<byte[], byte[]> record, Throwable failure, int attempts) {
    metrics.started();
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    done.whenComplete((outcome, error) -> metrics.ended());
    deadLetter(record, failure, attempts, done);
    return done;
  }

  private void deadLetter(
      ConsumerRecord<byte[], byte[]> record,
      Throwable failure,
      int attempts,
      CompletableFuture<Outcome> done) {
    log.warn(
        "Dead-lettering {}-{}@{} after {} attempt(s): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        attempts,
        failure.toString());
    deadLetters
        .write(record, failure, attempts)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                done.completeExceptionally(
                    new IllegalStateException(
                        "cannot write dead letter for "
                            + record.topic()
                            + "-"
                            + record.partition()
                            + "@"
                            + record.offset(),
                        error));
              } else {
                metrics.deadLettered();
                done.complete(Outcome.DEAD_LETTERED);
              }
            });
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

package dev.pipeline.core.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Does one job: what a service supplies to the worker runtime.
 *
 * <p>The returned stage completes when the job's effects are durable, for example when the result
 * it published has been acknowledged by Kafka; only then is the job's record committed or
 * acknowledged. Throw (or fail the stage with) a {@link RetriableJobException} for a failure worth
 * retrying; any other exception sends the record to its dead-letter topic with the reason.
 */
@FunctionalInterface
public interface JobHandler<T> {
  CompletionStage<?> handle(Job<T> job) throws Exception;

  /** Returns a handler for work that is complete when {@code action} returns. */
  static <T> JobHandler<T> blocking(BlockingAction<T> action) {
    return job -> {
      action.run(job);
      return CompletableFuture.completedFuture(null);
    };
  }

  /** Work that is done when it returns. */
  @FunctionalInterface
  interface BlockingAction<T> {
    void run(Job<T> job) throws Exception;
  }
}

package dev.pipeline.core.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Decides whether a failed job is tried again, and after how long: exponential backoff with jitter.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  boolean shouldRetry(Throwable failure, int attempt) {
    return attempt < maxAttempts && isRetriable(failure);
  }

  static boolean isRetriable(Throwable failure) {
    return failure instanceof RetriableJobException
        || failure instanceof RetriableException
        || failure instanceof IOException
        || failure instanceof UncheckedIOException;
  }

  /**
   * Returns the wait before attempt {@code attempt + 1}: doubling from the initial backoff, capped,
   * with up to 20% jitter.
   */
  Duration delayAfter(int attempt) {
    long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    long jitter =
        (long) (capped * 0.2 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(capped - jitter);
  }
}

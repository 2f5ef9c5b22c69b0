package dev.pipeline.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void retriesRetriableFailuresUntilTheLastAttempt() {
    assertThat(policy.shouldRetry(new RetriableJobException("503"), 1)).isTrue();
    assertThat(policy.shouldRetry(new TimeoutException("slow broker"), 3)).isTrue();
    assertThat(policy.shouldRetry(new IOException("reset"), 4)).isFalse();
  }

  @Test
  void neverRetriesOtherFailures() {
    assertThat(policy.shouldRetry(new IllegalArgumentException("bad"), 1)).isFalse();
    assertThat(policy.shouldRetry(new NullPointerException(), 1)).isFalse();
  }

  @Test
  void backoffDoublesWithJitterAndIsCapped() {
    assertThat(policy.delayAfter(1)).isBetween(Duration.ofMillis(80), Duration.ofMillis(100));
    assertThat(policy.delayAfter(2)).isBetween(Duration.ofMillis(160), Duration.ofMillis(200));
    assertThat(policy.delayAfter(30)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(1));
  }
}

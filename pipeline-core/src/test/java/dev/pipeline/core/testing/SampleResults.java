package dev.pipeline.core.testing;

import dev.pipeline.core.message.HashResult;
import java.util.Map;

/** Made-up hash results for tests that read them back: a path under /data, a fixed digest. */
public final class SampleResults {
  private SampleResults() {}

  /** The result of job {@code jobId}: 3 bytes of {@code /data/JOB_ID}, SHA-256 ab...ab. */
  public static HashResult of(String jobId) {
    return new HashResult(
        1,
        jobId,
        "/data/" + jobId,
        3,
        Map.of("SHA-256", "ab".repeat(32)),
        null,
        1,
        "test",
        null,
        null);
  }
}

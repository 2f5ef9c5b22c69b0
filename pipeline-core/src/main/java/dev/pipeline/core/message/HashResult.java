package dev.pipeline.core.message;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one hash job: digests (lower-case hex by algorithm) or an error. Keyed by job id
 * on {@code hash.results}.
 *
 * @param verified whether the first digest equals the job's expected one; null when none was given
 */
public record HashResult(
    int v,
    String jobId,
    String source,
    long size,
    Map<String, String> digests,
    @Nullable Instant mtime,
    long durationMs,
    String worker,
    @Nullable String error,
    @Nullable Boolean verified) {

  public HashResult {
    Fields.version(v);
    Fields.text(jobId, "jobId", Fields.MAX_ID);
    Fields.text(source, "source", Fields.MAX_URL);
    Fields.atLeast(size, 0L, "size");
    digests = digests == null ? Map.of() : Map.copyOf(digests);
    Fields.atLeast(durationMs, 0L, "durationMs");
    Fields.text(worker, "worker", Fields.MAX_NAME);
    Fields.optionalText(error, "error", Fields.MAX_TEXT);
    if (error == null && digests.isEmpty()) {
      throw new IllegalArgumentException("a result needs digests or an error");
    }
  }
}

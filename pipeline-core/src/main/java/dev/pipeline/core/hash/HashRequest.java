package dev.pipeline.core.hash;

import dev.pipeline.core.message.HashJob;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One line of a {@code POST /v1/hashes} body: a {@link HashJob} without what the service fills in.
 *
 * @param jobId names the job; the service makes one up when it is absent
 * @param algorithms digest names (SHA-256 when absent)
 * @param expected hex digest of the first algorithm, to verify against
 */
public record HashRequest(
    @Nullable String jobId,
    HashJob.Source source,
    @Nullable List<String> algorithms,
    @Nullable String expected) {

  /** The job, checked as every job on {@code hash.jobs} is. */
  public HashJob toJob(String madeUpId, Instant now) {
    return new HashJob(
        1,
        jobId == null ? madeUpId : jobId,
        source,
        algorithms == null ? List.of() : algorithms,
        expected,
        now);
  }
}

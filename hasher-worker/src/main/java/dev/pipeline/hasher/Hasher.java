package dev.pipeline.hasher;

import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.runtime.Job;
import dev.pipeline.core.runtime.JobHandler;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Hashes one job and publishes its {@link HashResult}; the job is done when Kafka has the result.
 *
 * <p>This first version hashes inline sources (text and base64). File and URL sources get an error
 * result saying so; they come with the hasher issue (roots, streaming, SSRF guard).
 */
final class Hasher implements JobHandler<HashJob> {
  private final Publisher publisher;
  private final String workerId;

  Hasher(Publisher publisher, String workerId) {
    this.publisher = publisher;
    this.workerId = workerId;
  }

  @Override
  public CompletionStage<?> handle(Job<HashJob> job) throws NoSuchAlgorithmException {
    return publisher.publish(
        Topics.HASH_RESULTS, job.message().jobId(), hash(job.message(), workerId));
  }

  /** Returns the result of one job: its digests, or an error result for a source it cannot read. */
  static HashResult hash(HashJob job, String workerId) throws NoSuchAlgorithmException {
    long start = System.nanoTime();
    return switch (job.source().kind()) {
      case TEXT, BASE64 -> digestInline(job, workerId, start);
      case FILE, URL ->
          failure(
              job,
              workerId,
              job.source().kind() + " sources are not supported by this hasher-worker version",
              start);
    };
  }

  private static HashResult digestInline(HashJob job, String workerId, long start)
      throws NoSuchAlgorithmException {
    byte[] bytes = job.source().inlineBytes();
    Map<String, String> digests = new LinkedHashMap<>();
    for (String algorithm : job.algorithms()) {
      digests.put(
          algorithm, HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes)));
    }
    Boolean verified =
        job.expected() == null
            ? null
            : job.expected().equalsIgnoreCase(digests.get(job.algorithms().get(0)));
    return new HashResult(
        1,
        job.jobId(),
        "inline:" + job.source().kind().name().toLowerCase(java.util.Locale.ROOT),
        bytes.length,
        digests,
        null,
        elapsedMs(start),
        workerId,
        null,
        verified);
  }

  private static HashResult failure(HashJob job, String workerId, String error, long start) {
    return new HashResult(
        1,
        job.jobId(),
        job.source().value(),
        0,
        Map.of(),
        null,
        elapsedMs(start),
        workerId,
        error,
        null);
  }

  private static long elapsedMs(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}

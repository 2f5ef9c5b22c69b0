package dev.pipeline.hasher;

import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Hashes the source of one job into its {@link HashResult}. Inline data is hashed on the caller's
 * thread, URLs are streamed on it (I/O-bound: a virtual thread), and files go to the {@link
 * CorePool}. A source the worker must not or cannot read gets an error result, never an exception;
 * only a failure worth retrying (a server error, a dropped connection) is thrown.
 */
final class Hasher {
  private final String workerId;
  private final HashRoots roots;
  private final CorePool cores;
  private final UrlFetcher urls;

  Hasher(String workerId, HashRoots roots, CorePool cores, UrlFetcher urls) {
    this.workerId = workerId;
    this.roots = roots;
    this.cores = cores;
    this.urls = urls;
  }

  /** Returns the result of one job: its digests, or an error result for a source it cannot read. */
  CompletableFuture<HashResult> hash(HashJob job) throws Exception {
    long start = System.nanoTime();
    HashJob.Source source = job.source();
    return switch (source.kind()) {
      case TEXT, BASE64 -> {
        byte[] bytes = source.inlineBytes();
        Digests digests = new Digests(job.algorithms());
        digests.update(bytes, 0, bytes.length);
        yield CompletableFuture.completedFuture(
            result(
                job,
                "inline:" + source.kind().name().toLowerCase(Locale.ROOT),
                bytes.length,
                digests.finish(),
                null,
                start,
                null));
      }
      case URL -> {
        try {
          Digests digests = urls.fetch(source.value(), job.algorithms());
          yield CompletableFuture.completedFuture(
              result(job, source.value(), digests.bytes(), digests.finish(), null, start, null));
        } catch (UrlFetcher.UrlRefusedException e) {
          yield CompletableFuture.completedFuture(failure(job, e.getMessage(), start));
        }
      }
      case FILE -> {
        HashRoots.CheckedFile file;
        try {
          file = roots.check(source.value());
        } catch (HashRoots.RefusedFileException e) {
          yield CompletableFuture.completedFuture(failure(job, e.getMessage(), start));
        }
        yield cores
            .hash(file.realPath(), file.size(), job.algorithms())
            .handle(
                (digest, error) ->
                    error == null
                        ? result(
                            job,
                            source.value(),
                            digest.size(),
                            digest.digests(),
                            file.modified().toInstant(),
                            start,
                            null)
                        : failure(
                            job, "cannot read " + source.value() + ": " + cause(error), start));
      }
    };
  }

  private HashResult result(
      HashJob job,
      String source,
      long size,
      Map<String, String> digests,
      @Nullable Instant mtime,
      long start,
      @Nullable String error) {
    Boolean verified =
        job.expected() == null || digests.isEmpty()
            ? null
            : job.expected().equalsIgnoreCase(digests.get(job.algorithms().get(0)));
    return new HashResult(
        1,
        job.jobId(),
        source,
        size,
        digests,
        mtime,
        (System.nanoTime() - start) / 1_000_000,
        workerId,
        error,
        verified);
  }

  private HashResult failure(HashJob job, String error, long start) {
    String source =
        switch (job.source().kind()) {
          case FILE, URL -> job.source().value();
          case TEXT, BASE64 -> "inline:" + job.source().kind().name().toLowerCase(Locale.ROOT);
        };
    return result(job, source, 0, Map.of(), null, start, error);
  }

  private static String cause(Throwable error) {
    Throwable t =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.toString();
  }
}

package dev.pipeline.core.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A request to hash one source. Keyed by job id on {@code hash.jobs}.
 *
 * @param source what to hash
 * @param algorithms digest names as {@link java.security.MessageDigest} knows them
 * @param expected optional hex digest of the first algorithm; the result then says whether it
 *     matches
 */
public record HashJob(
    int v,
    String jobId,
    Source source,
    List<String> algorithms,
    @Nullable String expected,
    Instant submittedAt) {

  /** Inline data is capped so a job fits comfortably in one Kafka record. */
  public static final int MAX_INLINE_BYTES = 512 * 1024;

  public static final List<String> KNOWN_ALGORITHMS =
      List.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-512");

  public HashJob {
    Fields.version(v);
    Fields.text(jobId, "jobId", Fields.MAX_ID);
    Fields.required(source, "source");
    algorithms = Fields.list(algorithms, "algorithms", KNOWN_ALGORITHMS.size());
    if (algorithms.isEmpty()) {
      algorithms = List.of("SHA-256");
    }
    algorithms = algorithms.stream().map(a -> a.toUpperCase(Locale.ROOT)).toList();
    for (String algorithm : algorithms) {
      if (!KNOWN_ALGORITHMS.contains(algorithm)) {
        throw new IllegalArgumentException(
            "unknown algorithm "
                + algorithm
                + " (known: "
                + String.join(", ", KNOWN_ALGORITHMS)
                + ")");
      }
    }
    if (expected != null && !expected.matches("[0-9a-fA-F]{32,128}")) {
      throw new IllegalArgumentException("expected must be a hex digest: " + expected);
    }
    Fields.required(submittedAt, "submittedAt");
  }

  /** Where the bytes to hash come from. */
  public enum Kind {
    FILE,
    TEXT,
    BASE64,
    URL
  }

  /**
   * A source of bytes: a file path on the worker, inline text or base64 data, or an http(s) URL.
   */
  public record Source(Kind kind, String value) {
    public Source {
      Fields.required(kind, "source.kind");
      Fields.required(value, "source.value");
      switch (kind) {
        case FILE -> Fields.text(value, "source.value", Fields.MAX_URL);
        case URL -> Fields.httpUrl(value, "source.value");
        case TEXT -> {
          if (value.length() > MAX_INLINE_BYTES
              || value.getBytes(StandardCharsets.UTF_8).length > MAX_INLINE_BYTES) {
            throw new IllegalArgumentException(
                "inline text is larger than " + MAX_INLINE_BYTES + " bytes");
          }
        }
        case BASE64 -> {
          if (value.length() > (MAX_INLINE_BYTES / 3 + 1) * 4) {
            throw new IllegalArgumentException(
                "inline data is larger than " + MAX_INLINE_BYTES + " bytes");
          }
          try {
            Base64.getDecoder().decode(value);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "source.value is not valid base64: " + e.getMessage());
          }
        }
      }
    }

    /** Returns the bytes of an inline source. */
    public byte[] inlineBytes() {
      return switch (kind) {
        case TEXT -> value.getBytes(StandardCharsets.UTF_8);
        case BASE64 -> Base64.getDecoder().decode(value);
        case FILE, URL -> throw new IllegalStateException(kind + " source has no inline bytes");
      };
    }
  }
}

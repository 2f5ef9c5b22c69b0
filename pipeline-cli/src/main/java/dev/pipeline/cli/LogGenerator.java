package dev.pipeline.cli;

import dev.pipeline.core.message.LogEvent;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes realistic log events: a few hosts per service, mostly INFO with some DEBUG and WARN, a
 * chosen share of ERROR, request lines with latencies and trace ids. Not thread-safe.
 */
final class LogGenerator {
  private static final String[] PATHS = {
    "/api/v1/users", "/api/v1/orders", "/api/v1/search", "/login", "/health", "/api/v1/cart"
  };
  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  // Message templates as the text before the path, between path and latency, and after; joined
  // by concatenation, since String.format parses its pattern on every call.
  private static final String[][] WARNINGS = {
    {"slow query on ", " took ", " ms"},
    {"retrying call to ", " after timeout (", " ms)"},
    {"cache miss storm on ", ", ", " ms"}
  };
  private static final String[][] ERRORS = {
    {"upstream ", " returned 503 after ", " ms"},
    {"NullPointerException while handling ", " (", " ms)"},
    {"connection reset by peer on ", " after ", " ms"}
  };

  private final List<String> sources;
  private final double errorRatio;
  private final String run;
  private final SplittableRandom random = new SplittableRandom();
  private long sequence;

  LogGenerator(List<String> sources, double errorRatio, String run) {
    if (sources.isEmpty()) {
      throw new CliException("--sources needs at least one name");
    }
    if (errorRatio < 0 || errorRatio > 1) {
      throw new CliException("--error-ratio must be between 0 and 1: " + errorRatio);
    }
    this.sources = List.copyOf(sources);
    this.errorRatio = errorRatio;
    this.run = run;
  }

  LogEvent next() {
    long n = sequence++;
    String service = sources.get((int) (n % sources.size()));
    String host = service + "-" + (1 + random.nextInt(3));
    String path = PATHS[random.nextInt(PATHS.length)];
    long latency = (long) Math.min(30_000, Math.exp(random.nextDouble() * 6 + 1));
    double roll = random.nextDouble();
    LogEvent.Level level;
    String message;
    if (roll < errorRatio) {
      level = LogEvent.Level.ERROR;
      message = filled(ERRORS[random.nextInt(ERRORS.length)], path, latency);
    } else if (roll < errorRatio + 0.08) {
      level = LogEvent.Level.WARN;
      message = filled(WARNINGS[random.nextInt(WARNINGS.length)], path, latency);
    } else if (roll < errorRatio + 0.23) {
      level = LogEvent.Level.DEBUG;
      message = "cache lookup " + path + " hit=" + random.nextBoolean();
    } else {
      level = LogEvent.Level.INFO;
      int status = random.nextInt(100) < 95 ? 200 : 404;
      message =
          METHODS[random.nextInt(METHODS.length)]
              + " "
              + path
              + " "
              + status
              + " "
              + latency
              + "ms";
    }
    byte[] trace = new byte[8];
    random.nextBytes(trace);
    return new LogEvent(
        1,
        // Zero-padded, so ids sort in the order they were made: a store's primary-key index then
        // grows at its end instead of splitting pages all over.
        run + "-" + zeroPadded(n),
        Instant.now(),
        service,
        host,
        level,
        message,
        HexFormat.of().formatHex(trace),
        latency,
        Map.of());
  }

  private static String filled(String[] template, String path, long latency) {
    return template[0] + path + template[1] + latency + template[2];
  }

  /** {@code n} in at least 12 digits; String.format cost 2% of a publishing run's CPU. */
  private static String zeroPadded(long n) {
    String digits = Long.toString(n);
    return digits.length() >= 12 ? digits : "0".repeat(12 - digits.length()) + digits;
  }
}

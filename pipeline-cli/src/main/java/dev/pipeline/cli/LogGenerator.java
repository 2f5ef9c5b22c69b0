package dev.pipeline.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import dev.pipeline.core.message.LogEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Makes realistic log events: a few hosts per service, mostly INFO with some DEBUG and WARN, a
 * chosen share of ERROR, request lines with latencies and trace ids. Not thread-safe.
 *
 * <p>Each event comes out as its Kafka key and the JSON that {@code MessageCodec} writes for it
 * (byte for byte, but that a character outside the BMP is UTF-8 here where Jackson's generator
 * writes two escapes; LogGeneratorTest checks). It is assembled from pieces escaped once by
 * Jackson's own string encoder: making a LogEvent and encoding it cost ~1.9 µs of CPU per event,
 * the one thing that kept {@code publish logs} well under Kafka's ProducerPerformance on 2 cores.
 */
final class LogGenerator {
  /** The services {@code publish logs --count} names when not given {@code --sources}. */
  static final String DEFAULT_SOURCES = "api,auth,billing,search,worker";

  private static final String[] PATHS = {
    "/api/v1/users", "/api/v1/orders", "/api/v1/search", "/login", "/health", "/api/v1/cart"
  };
  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  // Message templates as the text before the path, between path and latency, and after.
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
  // Events are keyed by their source (service/host), and a consumer group shares partitions, not
  // events: the sources must spread over a topic's partitions for a second consumer to get a share.
  // The names used before ("api-1" to "api-3", 15 in all by default) hashed into 5 of 12 partitions
  // and 93% of the events into partitions 0-5, all of which the first of two consumers keeps.
  private static final int HOSTS_PER_SERVICE = 6;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  // Every value below is escaped by Jackson's own string encoder once, here, and copied for each
  // event; the JSON syntax around values is plain ASCII.
  private static final byte[][] PATH_TEXT = text(PATHS);
  private static final byte[][] METHOD_TEXT = text(METHODS);
  private static final byte[][][] WARNING_TEXT = text(WARNINGS);
  private static final byte[][][] ERROR_TEXT = text(ERRORS);
  private static final byte[][] LEVEL_TEXT =
      Arrays.stream(LogEvent.Level.values())
          .map(level -> join(text(level.name()), ascii("\",\"message\":\"")))
          .toArray(byte[][]::new);
  private static final byte[] TIMESTAMP = ascii("\",\"timestamp\":\"");
  private static final byte[] TRACE = ascii("\",\"traceId\":\"");
  private static final byte[] LATENCY = ascii("\",\"latencyMs\":");
  private static final byte[] END = ascii(",\"attributes\":{}}");
  private static final byte[] CACHE_LOOKUP = text("cache lookup ");
  private static final byte[] HIT_TRUE = text(" hit=true");
  private static final byte[] HIT_FALSE = text(" hit=false");
  private static final byte[] OK = text(" 200 ");
  private static final byte[] NOT_FOUND = text(" 404 ");
  private static final byte[] MS = text("ms");

  /** A generated event: its Kafka key (the source, whose order is kept) and its JSON. */
  record Generated(byte[] key, byte[] json) {
    ProducerRecord<byte[], byte[]> record(String topic) {
      return new ProducerRecord<>(topic, key, json);
    }
  }

  private final double errorRatio;
  private final Clock clock;
  private final SplittableRandom random = new SplittableRandom();
  private final byte[] head;
  // Per service, then per host: the key, and the JSON from the timestamp's end to the level.
  private final byte[][][] keys;
  private final byte[][][] sourceText;
  private final byte[] buffer;
  private long sequence;
  private long second = Long.MIN_VALUE;
  private byte[] secondText = new byte[0];

  LogGenerator(List<String> sources, double errorRatio, String run) {
    this(sources, errorRatio, run, Clock.systemUTC());
  }

  /** With the clock that stamps each event. */
  LogGenerator(List<String> sources, double errorRatio, String run, Clock clock) {
    if (sources.isEmpty()) {
      throw new CliException("--sources needs at least one name");
    }
    if (errorRatio < 0 || errorRatio > 1) {
      throw new CliException("--error-ratio must be between 0 and 1: " + errorRatio);
    }
    this.errorRatio = errorRatio;
    this.clock = clock;
    this.head = join(ascii("{\"v\":1,\"id\":\""), text(run + "-"));
    keys = new byte[sources.size()][HOSTS_PER_SERVICE][];
    sourceText = new byte[sources.size()][HOSTS_PER_SERVICE][];
    int longestSource = 0;
    for (int s = 0; s < sources.size(); s++) {
      for (int h = 0; h < HOSTS_PER_SERVICE; h++) {
        String service = sources.get(s);
        String host = String.format(Locale.ROOT, "%s%02d", service, h + 1);
        LogEvent sample = validSample(run, service, host);
        keys[s][h] = sample.source().getBytes(StandardCharsets.UTF_8);
        sourceText[s][h] =
            join(
                ascii("Z\",\"service\":\""),
                text(service),
                ascii("\",\"host\":\""),
                text(host),
                ascii("\",\"level\":\""));
        longestSource = Math.max(longestSource, sourceText[s][h].length);
      }
    }
    // The run id, the source and the longest message template, with room to spare for the
    // numbers, the timestamp and the trace id.
    buffer = new byte[head.length + longestSource + 512];
  }

  /** The names given must make valid events: checked once, as the codec's reader would. */
  private static LogEvent validSample(String run, String service, String host) {
    try {
      return new LogEvent(
          1,
          run + "-0",
          Instant.EPOCH,
          service,
          host,
          LogEvent.Level.INFO,
          "-",
          null,
          0L,
          Map.of());
    } catch (IllegalArgumentException e) {
      throw new CliException("--sources: " + e.getMessage());
    }
  }

  Generated next() {
    long n = sequence++;
    int s = (int) (n % keys.length);
    int h = random.nextInt(HOSTS_PER_SERVICE);
    byte[] path = PATH_TEXT[random.nextInt(PATH_TEXT.length)];
    long latency = (long) Math.min(30_000, Math.exp(random.nextDouble() * 6 + 1));
    int at = put(head, 0);
    // Zero-padded, so ids sort in the order they were made: a store's primary-key index then
    // grows at its end instead of splitting pages all over.
    at = putDigits(n, 12, at);
    at = put(TIMESTAMP, at);
    at = putTimestamp(clock.instant(), at);
    at = put(sourceText[s][h], at);
    double roll = random.nextDouble();
    if (roll < errorRatio) {
      at = put(LEVEL_TEXT[LogEvent.Level.ERROR.ordinal()], at);
      at = putFilled(ERROR_TEXT[random.nextInt(ERROR_TEXT.length)], path, latency, at);
    } else if (roll < errorRatio + 0.08) {
      at = put(LEVEL_TEXT[LogEvent.Level.WARN.ordinal()], at);
      at = putFilled(WARNING_TEXT[random.nextInt(WARNING_TEXT.length)], path, latency, at);
    } else if (roll < errorRatio + 0.23) {
      at = put(LEVEL_TEXT[LogEvent.Level.DEBUG.ordinal()], at);
      at = put(CACHE_LOOKUP, at);
      at = put(path, at);
      at = put(random.nextBoolean() ? HIT_TRUE : HIT_FALSE, at);
    } else {
      at = put(LEVEL_TEXT[LogEvent.Level.INFO.ordinal()], at);
      at = put(METHOD_TEXT[random.nextInt(METHOD_TEXT.length)], at);
      buffer[at++] = ' ';
      at = put(path, at);
      at = put(random.nextInt(100) < 95 ? OK : NOT_FOUND, at);
      at = NumberOutput.outputLong(latency, buffer, at);
      at = put(MS, at);
    }
    at = put(TRACE, at);
    long trace = random.nextLong();
    for (int shift = 60; shift >= 0; shift -= 4) {
      buffer[at++] = HEX[(int) (trace >>> shift) & 0xf];
    }
    at = put(LATENCY, at);
    at = NumberOutput.outputLong(latency, buffer, at);
    at = put(END, at);
    return new Generated(keys[s][h], Arrays.copyOf(buffer, at));
  }

  private int putFilled(byte[][] template, byte[] path, long latency, int at) {
    at = put(template[0], at);
    at = put(path, at);
    at = put(template[1], at);
    at = NumberOutput.outputLong(latency, buffer, at);
    return put(template[2], at);
  }

  /**
   * Writes the instant as ISO_INSTANT does (the codec's format) up to its closing {@code Z}, to the
   * microsecond: the fraction in 3 or 6 digits, none when it is zero.
   */
  private int putTimestamp(Instant instant, int at) {
    if (instant.getEpochSecond() != second) {
      second = instant.getEpochSecond();
      String text = Instant.ofEpochSecond(second).toString();
      secondText = ascii(text.substring(0, text.length() - 1));
    }
    at = put(secondText, at);
    int micros = instant.getNano() / 1000;
    if (micros != 0) {
      buffer[at++] = '.';
      at = micros % 1000 == 0 ? putDigits(micros / 1000, 3, at) : putDigits(micros, 6, at);
    }
    return at;
  }

  /** Writes {@code n} in at least {@code width} digits, with leading zeros. */
  private int putDigits(long n, int width, int at) {
    int digits = 1;
    for (long rest = n / 10; rest > 0; rest /= 10) {
      digits++;
    }
    for (int i = digits; i < width; i++) {
      buffer[at++] = '0';
    }
    return NumberOutput.outputLong(n, buffer, at);
  }

  private int put(byte[] piece, int at) {
    System.arraycopy(piece, 0, buffer, at, piece.length);
    return at + piece.length;
  }

  /** JSON syntax, which is ASCII. */
  private static byte[] ascii(String syntax) {
    return syntax.getBytes(StandardCharsets.US_ASCII);
  }

  /** A string value's text, escaped as JSON, in UTF-8. */
  private static byte[] text(String value) {
    return JsonStringEncoder.getInstance().quoteAsUTF8(value);
  }

  private static byte[][] text(String[] values) {
    return Arrays.stream(values).map(LogGenerator::text).toArray(byte[][]::new);
  }

  private static byte[][][] text(String[][] templates) {
    return Arrays.stream(templates).map(LogGenerator::text).toArray(byte[][][]::new);
  }

  private static byte[] join(byte[]... pieces) {
    byte[] joined = new byte[Arrays.stream(pieces).mapToInt(piece -> piece.length).sum()];
    int at = 0;
    for (byte[] piece : pieces) {
      System.arraycopy(piece, 0, joined, at, piece.length);
      at += piece.length;
    }
    return joined;
  }
}

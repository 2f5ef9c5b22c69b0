package dev.pipeline.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.config.DurationText;
import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashAnswer;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.hash.HashRequest;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.http.HttpError;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/hashes}: NDJSON, a {@link HashRequest} per line. Publishes a job per line to
 * {@code hash.jobs} and, unless {@code ?wait=false}, streams back each job's outcome as it arrives
 * ({@link HashAnswer}), until every job has one or {@code ?timeout=} (a {@link DurationText}: 90,
 * 30s, 10m or PT1H; an hour by default) has passed. This lets a short-lived client, such as the
 * CLI, leave Kafka's clients to a process whose code is already compiled.
 */
final class HashIntake implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HashIntake.class);
  private static final MessageCodec CODEC = MessageCodec.standard();
  private static final KnownFields FIELDS = new KnownFields(HashRequest.class);

  /** Inline base64 data of the largest size a job may carry, with room for the rest of a line. */
  static final int MAX_LINE_BYTES = 1 << 20;

  /** Each waiting run holds a Kafka consumer: enough for many clients, not for a flood. */
  static final int MAX_WAITING_RUNS = 16;

  static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /** A quiet stream still writes this often, so a client that has gone is noticed. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(5);

  private final KafkaSettings kafka;
  private final Semaphore waitingRuns = new Semaphore(MAX_WAITING_RUNS);
  private @Nullable Publisher publisher;

  HashIntake(KafkaSettings kafka) {
    this.kafka = kafka;
  }

  HttpApi.Handler handler() {
    return HttpApi.route(Set.of("POST"), this::handle);
  }

  /** Created at the first run: a producer-service that never hashes keeps one producer, not two. */
  private synchronized Publisher publisher() {
    if (publisher == null) {
      Map<String, Object> settings = new HashMap<>(ProducerService.ingestProducerSettings());
      settings.putAll(Publisher.UNORDERED_JOBS);
      publisher = new Publisher(kafka, settings);
    }
    return publisher;
  }

  @Override
  public synchronized void close() {
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
  }

  private HttpApi.Response handle(HttpApi.Request request) throws IOException {
    boolean wait = !"false".equals(request.query().get("wait"));
    Duration timeout = timeout(request.query().get("timeout"));
    if (wait && !waitingRuns.tryAcquire()) {
      throw new HttpError(
          503,
          MAX_WAITING_RUNS + " hash runs are already waiting for their results; try again later",
          retryLater());
    }
    HashOutcomes outcomes = null;
    try {
      if (wait) {
        try {
          // Before any job is published, so that no outcome comes before its reader.
          outcomes = new HashOutcomes(kafka, Duration.ofSeconds(5));
        } catch (KafkaException | IllegalStateException e) {
          throw new HttpError(
              503, "cannot read hash results from Kafka: " + e.getMessage(), retryLater());
        }
      }
      Run run = submit(request.bodyStream());
      if (run.accepted.isEmpty() && run.refused.isEmpty() && run.failures.isEmpty()) {
        throw new HttpError(400, "the body holds no jobs: send one JSON object per line");
      }
      if (run.accepted.isEmpty() && !run.failures.isEmpty()) {
        throw new HttpError(
            503,
            "Kafka did not take the jobs: " + run.failures.values().iterator().next(),
            retryLater());
      }
      log.info(
          "hash run {}: {} jobs published, {} lines refused, {} not taken by Kafka",
          run.id,
          run.accepted.size(),
          run.refused.size(),
          run.failures.size());
      if (!wait) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", run.accepted.size());
        answer.put("refused", run.refused);
        answer.put("failed", run.failures);
        return HttpApi.json(run.refused.isEmpty() && run.failures.isEmpty() ? 202 : 400, answer);
      }
      HashOutcomes reader = outcomes;
      outcomes = null; // the stream owns it now
      return HttpApi.streamed(
          200,
          "application/x-ndjson",
          out -> {
            try (reader) {
              stream(run, reader, timeout, new AnswerStream(out));
            } finally {
              waitingRuns.release();
            }
          });
    } finally {
      if (outcomes != null) {
        outcomes.close();
        waitingRuns.release();
      }
    }
  }

  private static Map<String, String> retryLater() {
    return Map.of("Retry-After", "5");
  }

  /** The jobs a request published, and what became of the lines that were not. */
  private record Run(
      String id, Set<String> accepted, Map<Long, String> refused, Map<String, String> failures) {}

  private Run submit(InputStream body) throws IOException {
    String id =
        Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    Set<String> accepted = new HashSet<>();
    Map<Long, String> refused = new LinkedHashMap<>();
    Map<String, String> failures = new ConcurrentHashMap<>();
    Publisher jobs = publisher();
    Instant now = Instant.now();
    Lines lines = new Lines(body);
    for (byte[] line; (line = lines.next()) != null; ) {
      long number = lines.number();
      HashJob job;
      try {
        if (line.length > MAX_LINE_BYTES) {
          throw new IllegalArgumentException("line is longer than " + MAX_LINE_BYTES + " bytes");
        }
        job = parse(line).toJob("hash-" + id + "-" + number, now);
      } catch (IllegalArgumentException | InvalidMessageException e) {
        refused.put(number, e.getMessage());
        continue;
      }
      if (accepted.contains(job.jobId()) || failures.containsKey(job.jobId())) {
        refused.put(number, "jobId " + job.jobId() + " appears twice in this request");
        continue;
      }
      if (!failures.isEmpty()) {
        // Kafka refused one already: the rest would each wait the producer's timeout to fail.
        failures.put(job.jobId(), failures.values().iterator().next());
        continue;
      }
      accepted.add(job.jobId());
      jobs.publish(Topics.HASH_JOBS, job.jobId(), job)
          .whenComplete(
              (metadata, error) -> {
                if (error != null) {
                  failures.put(job.jobId(), "Kafka did not take the job: " + error.getMessage());
                }
              });
    }
    // flush() returns once every send has completed and its callback run.
    jobs.flush();
    accepted.removeAll(failures.keySet());
    return new Run(id, accepted, refused, failures);
  }

  /** A line as a request, refusing a field it does not know: a misspelt one would be ignored. */
  private static HashRequest parse(byte[] line) {
    JsonNode node = CODEC.parse(new String(line, StandardCharsets.UTF_8));
    if (!node.isObject()) {
      throw new InvalidMessageException("expected a JSON object with a source");
    }
    FIELDS.check(node, "");
    return CODEC.decode(node, HashRequest.class);
  }

  private static void stream(Run run, HashOutcomes reader, Duration timeout, AnswerStream answer)
      throws IOException {
    run.refused.forEach((line, reason) -> answer.write(HashAnswer.refused(line, reason)));
    run.failures.forEach((jobId, reason) -> answer.write(HashAnswer.failure(jobId, reason)));
    long[] outcomes = {run.failures.size()};
    Set<String> pending =
        reader.awaitAll(
            run.accepted,
            timeout,
            answer::betweenPolls,
            outcome -> {
              outcomes[0]++;
              answer.write(
                  outcome.resultJson() != null
                      ? outcome.resultJson()
                      : HashAnswer.failure(outcome.jobId(), String.valueOf(outcome.failure())));
            });
    if (answer.gone) {
      log.info("hash run {}: the client went away with {} jobs pending", run.id, pending.size());
      return;
    }
    answer.write(
        HashAnswer.end(
            new HashAnswer.End(
                run.accepted.size() + run.failures.size(), outcomes[0], pending.size())));
    answer.out.flush();
  }

  private static Duration timeout(@Nullable String given) {
    if (given == null || given.isBlank()) {
      return DEFAULT_TIMEOUT;
    }
    Duration timeout;
    try {
      timeout = DurationText.parse(given);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "timeout: " + e.getMessage());
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new HttpError(400, "timeout must be more than 0 and at most " + MAX_TIMEOUT);
    }
    return timeout;
  }

  /** Writes answer lines, flushing between polls, and notices a client that has gone. */
  private static final class AnswerStream {
    private final OutputStream out;
    private long lastWrite = System.nanoTime();
    private boolean dirty;
    private boolean gone;

    AnswerStream(OutputStream out) {
      this.out = out;
    }

    void write(byte[] line) {
      if (gone) {
        return;
      }
      try {
        out.write(line);
        out.write('\n');
        dirty = true;
        lastWrite = System.nanoTime();
      } catch (IOException e) {
        gone = true;
      }
    }

    /** Flushes what the last poll brought, or a blank line after a quiet spell; true once gone. */
    boolean betweenPolls() {
      if (!gone && !dirty && System.nanoTime() - lastWrite > HEARTBEAT.toNanos()) {
        write(new byte[0]);
      }
      if (!gone && dirty) {
        try {
          out.flush();
          dirty = false;
        } catch (IOException e) {
          gone = true;
        }
      }
      return gone;
    }
  }

  /**
   * The body's lines, numbered from 1, blank ones skipped. A line over the limit is kept only up to
   * it (one byte more, so it is known to be over), whatever its length.
   */
  private static final class Lines {
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    private long number;

    Lines(InputStream body) {
      this.in = body;
    }

    /** The next non-blank line, or null at the end. */
    byte @Nullable [] next() throws IOException {
      while (true) {
        byte[] line = nextLine();
        if (line == null) {
          return null;
        }
        number++;
        for (byte b : line) {
          if (b != ' ' && b != '\t' && b != '\r') {
            return line;
          }
        }
      }
    }

    private byte @Nullable [] nextLine() throws IOException {
      ByteArrayOutputStream longLine = null;
      while (true) {
        for (int i = start; i < end; i++) {
          if (buffer[i] == '\n') {
            byte[] line = take(longLine, i);
            start = i + 1;
            return line;
          }
        }
        if (start < end) {
          if (longLine == null) {
            longLine = new ByteArrayOutputStream();
          }
          if (longLine.size() <= MAX_LINE_BYTES) {
            longLine.write(buffer, start, Math.min(end - start, MAX_LINE_BYTES + 1));
          }
        }
        start = 0;
        end = in.read(buffer);
        if (end < 0) {
          end = 0;
          return longLine == null ? null : longLine.toByteArray();
        }
      }
    }

    private byte[] take(@Nullable ByteArrayOutputStream longLine, int newline) {
      if (longLine == null) {
        return Arrays.copyOfRange(buffer, start, newline);
      }
      if (longLine.size() <= MAX_LINE_BYTES) {
        longLine.write(buffer, start, Math.min(newline - start, MAX_LINE_BYTES + 1));
      }
      return longLine.toByteArray();
    }

    long number() {
      return number;
    }
  }
}

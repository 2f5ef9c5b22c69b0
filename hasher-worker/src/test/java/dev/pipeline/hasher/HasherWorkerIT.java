package dev.pipeline.hasher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real hasher-worker process on a real broker, fed good and bad jobs together. */
@ExtendWith(KafkaBrokerExtension.class)
class HasherWorkerIT {
  private static final Duration LONG = Duration.ofSeconds(120);
  private final MessageCodec codec = MessageCodec.standard();

  @TempDir Path dir;

  private String job(String id, HashJob.Kind kind, String value) {
    return new String(
        codec.encode(
            new HashJob(1, id, new HashJob.Source(kind, value), List.of(), null, Instant.now())),
        StandardCharsets.UTF_8);
  }

  @Test
  void badJobsGetErrorResultsOrDeadLettersAndTheRestFinish(TestBroker broker) throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path ok = Files.writeString(root.resolve("ok.txt"), "abc");
    Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(root.resolve("escape"), secret);
    Path fifo = root.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

    Map<String, String> jobs = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      jobs.put("text-" + i, job("text-" + i, HashJob.Kind.TEXT, "string " + i));
    }
    jobs.put("file-ok", job("file-ok", HashJob.Kind.FILE, ok.toString()));
    jobs.put("file-dotdot", job("file-dotdot", HashJob.Kind.FILE, root + "/../secret.txt"));
    jobs.put("file-symlink", job("file-symlink", HashJob.Kind.FILE, root + "/escape"));
    jobs.put("file-fifo", job("file-fifo", HashJob.Kind.FILE, fifo.toString()));
    jobs.put("file-absolute", job("file-absolute", HashJob.Kind.FILE, "/etc/passwd"));
    jobs.put("url-private", job("url-private", HashJob.Kind.URL, "http://127.0.0.1:9/x"));
    Set<String> results = new HashSet<>(jobs.keySet());
    // Invalid jobs: each must reach hash.jobs.dlq with its reason.
    String huge = "x".repeat(HashJob.MAX_INLINE_BYTES + 1);
    jobs.put(
        "huge",
        "{\"v\":1,\"jobId\":\"huge\",\"source\":{\"kind\":\"TEXT\",\"value\":\""
            + huge
            + "\"},\"algorithms\":[],\"submittedAt\":\"2026-01-01T00:00:00Z\"}");
    jobs.put("malformed", "{not json");
    jobs.put(
        "unknown-algorithm",
        "{\"v\":1,\"jobId\":\"unknown-algorithm\",\"source\":{\"kind\":\"TEXT\",\"value\":\"a\"},"
            + "\"algorithms\":[\"CRC7\"],\"submittedAt\":\"2026-01-01T00:00:00Z\"}");
    jobs.put(
        "no-source",
        "{\"v\":1,\"jobId\":\"no-source\",\"algorithms\":[],\"submittedAt\":\"2026-01-01T00:00:00Z\"}");

    Topic input = new Topic(broker.bootstrapServers(), Topics.HASH_JOBS).create(3);
    List<String> keys = new ArrayList<>(jobs.keySet());
    input.send(keys, keys.stream().map(jobs::get).toList());

    Topic output = new Topic(broker.bootstrapServers(), Topics.HASH_RESULTS).create(3);
    Topic deadLetters =
        new Topic(broker.bootstrapServers(), Topics.deadLetter(Topics.HASH_JOBS)).create(1);
    try (JavaProcess worker =
        JavaProcess.start(
            "hasher",
            HasherWorker.class,
            "--bootstrap",
            broker.bootstrapServers(),
            "--group",
            broker.unique("hasher"),
            "--root",
            root.toString())) {
      output.awaitKeys(k -> new HashSet<>(k).containsAll(results), LONG);
      deadLetters.awaitKeys(
          k ->
              new HashSet<>(k)
                  .containsAll(Set.of("huge", "malformed", "unknown-algorithm", "no-source")),
          LONG);
      assertThat(worker.isAlive()).isTrue();
    }

    Map<String, HashResult> byJob = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : output.readAll()) {
      HashResult result = codec.decode(record.value(), HashResult.class);
      byJob.putIfAbsent(result.jobId(), result);
    }
    assertThat(byJob.get("file-ok").digests())
        .containsEntry(
            "SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(byJob.get("text-7").error()).isNull();
    assertThat(byJob.get("file-dotdot").error()).contains("is outside this worker's roots");
    assertThat(byJob.get("file-symlink").error()).contains("is outside this worker's roots");
    assertThat(byJob.get("file-absolute").error()).contains("is outside this worker's roots");
    assertThat(byJob.get("file-fifo").error()).contains("is a FIFO, socket or device");
    assertThat(byJob.get("url-private").error()).contains("127.0.0.1 is a loopback address");

    Map<String, String> reasons = deadLetters.deadLetterReasons();
    assertThat(reasons.get("huge")).contains("larger than " + HashJob.MAX_INLINE_BYTES);
    assertThat(reasons.get("unknown-algorithm")).contains("unknown algorithm CRC7");
    assertThat(reasons.get("no-source")).contains("source");
    assertThat(reasons.get("malformed")).isNotBlank();
  }
}

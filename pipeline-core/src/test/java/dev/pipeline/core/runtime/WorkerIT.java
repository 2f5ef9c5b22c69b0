package dev.pipeline.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class WorkerIT {
  private static final Duration LONG = Duration.ofSeconds(120);
  private final MessageCodec codec = MessageCodec.standard();

  private record Fixture(Topic input, Topic output, String group) {}

  private Fixture fixture(TestBroker broker, int partitions) throws Exception {
    Topic input = new Topic(broker.bootstrapServers(), broker.unique("in")).create(partitions);
    Topic output = new Topic(broker.bootstrapServers(), broker.unique("out")).create(partitions);
    new Topic(broker.bootstrapServers(), input.name() + ".dlq").create(1);
    return new Fixture(input, output, broker.unique("group"));
  }

  private List<String> publishEvents(Topic topic, int count, String prefix) {
    List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    topic.send(
        ids.stream().map(id -> "source-" + (id.hashCode() & 7)).toList(),
        ids.stream().map(id -> event(id, "hello " + id)).toList());
    return ids;
  }

  private String event(String id, String message) {
    return new String(
        codec.encode(
            new LogEvent(
                1,
                id,
                Instant.now(),
                "svc",
                "host",
                LogEvent.Level.INFO,
                message,
                null,
                null,
                Map.of())),
        StandardCharsets.UTF_8);
  }

  private static JavaProcess startWorker(
      TestBroker broker, Fixture f, String name, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap",
                broker.bootstrapServers(),
                "--group",
                f.group(),
                "--input",
                f.input().name(),
                "--output",
                f.output().name()));
    args.addAll(List.of(extra));
    return JavaProcess.start(name, EchoWorker.class, args.toArray(String[]::new));
  }

  @Test
  void sigkillOfWorkerMidBatchLosesNoRecord(TestBroker broker) throws Exception {
    Fixture f = fixture(broker, 6);
    List<String> ids = publishEvents(f.input(), 3000, "kill");
    try (JavaProcess first =
        startWorker(broker, f, "first", "--delay-ms", "5", "--concurrency", "50")) {
      f.output().awaitKeys(keys -> keys.size() >= 600, LONG);
      first.kill();
    }
    assertThat(new HashSet<>(f.output().keys()))
        .as("killed before finishing")
        .hasSizeLessThan(ids.size());
    try (JavaProcess second = startWorker(broker, f, "second", "--concurrency", "50")) {
      f.output().awaitKeys(keys -> new HashSet<>(keys).containsAll(ids), LONG);
    }
    assertThat(new HashSet<>(f.output().keys())).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void poisonMessagesLandInTheDeadLetterTopicWithHeadersWhileTheOthersAreProcessed(
      TestBroker broker) throws Exception {
    Fixture f = fixture(broker, 3);
    List<String> good = publishEvents(f.input(), 50, "good");
    f.input()
        .send(
            List.of("bad-json", "missing", "permanent", "retriable"),
            List.of(
                "{not json",
                "{\"v\":1,\"id\":\"m1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"service\":\"svc\",\"host\":\"h\",\"message\":\"x\"}",
                event("p1", "fail-permanently"),
                event("r1", "fail-retriable")));
    List<String> more = publishEvents(f.input(), 50, "after");
    KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), Map.of());
    WorkerSettings settings =
        WorkerSettings.builder("echo-worker", kafka)
            .group(f.group())
            .topics(f.input().name())
            .retries(3, Duration.ofMillis(10), Duration.ofMillis(50))
            .build();
    Topic dlq = new Topic(broker.bootstrapServers(), f.input().name() + ".dlq");
    try (Publisher publisher = new Publisher(kafka, Map.of())) {
      Worker<LogEvent> worker = EchoWorker.worker(settings, publisher, f.output().name(), 0);
      Thread thread = Thread.ofPlatform().start(worker::run);
      f.output().awaitKeys(keys -> keys.size() >= 100, LONG);
      org.awaitility.Awaitility.await().atMost(LONG).until(() -> dlq.readAll().size() >= 4);
      worker.stop();
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(worker.metrics().snapshot().deadLettered()).isEqualTo(4);
      assertThat(worker.metrics().snapshot().retried()).isEqualTo(2);
    }
    assertThat(f.output().keys()).containsExactlyInAnyOrderElementsOf(concat(good, more));
    Map<String, Map<String, String>> headersByKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : dlq.readAll()) {
      Map<String, String> headers = new HashMap<>();
      for (Header h : record.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      headersByKey.put(new String(record.key(), StandardCharsets.UTF_8), headers);
    }
    assertThat(headersByKey).containsOnlyKeys("bad-json", "missing", "permanent", "retriable");
    assertThat(headersByKey.get("bad-json"))
        .containsEntry("dlq.error.class", "dev.pipeline.core.message.InvalidMessageException")
        .containsEntry("dlq.origin.topic", f.input().name())
        .containsEntry("dlq.attempts", "1")
        .containsEntry("dlq.service", "echo-worker")
        .containsKeys("dlq.origin.partition", "dlq.origin.offset", "dlq.timestamp");
    assertThat(headersByKey.get("bad-json").get("dlq.reason")).startsWith("not valid JSON");
    assertThat(headersByKey.get("missing").get("dlq.reason"))
        .isEqualTo("invalid LogEvent: level is required");
    assertThat(headersByKey.get("permanent"))
        .containsEntry("dlq.error.class", "java.lang.IllegalArgumentException")
        .containsEntry("dlq.reason", "refusing p1")
        .containsEntry("dlq.attempts", "1");
    assertThat(headersByKey.get("retriable"))
        .containsEntry("dlq.error.class", RetriableJobException.class.getName())
        .containsEntry("dlq.attempts", "3");
    ConsumerRecord<byte[], byte[]> original =
        dlq.readAll().stream()
            .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("bad-json"))
            .findFirst()
            .orElseThrow();
    assertThat(new String(original.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
  }

  /** A store that takes 150 ms a batch and remembers each batch, in memory. */
  private static final class SlowMemorySink implements BatchSink<LogEvent> {
    record Batch(List<Job<LogEvent>> jobs, Map<TopicPartition, Long> nextOffsets) {}

    final List<Batch> batches = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public Map<TopicPartition, Long> storedOffsets(
        java.util.Collection<TopicPartition> partitions) {
      return Map.of();
    }

    @Override
    public void write(List<Job<LogEvent>> batch, Map<TopicPartition, Long> nextOffsets)
        throws InterruptedException {
      Thread.sleep(150);
      batches.add(new Batch(List.copyOf(batch), Map.copyOf(nextOffsets)));
    }

    int stored() {
      synchronized (batches) {
        return batches.stream().mapToInt(b -> b.jobs().size()).sum();
      }
    }
  }

  @Test
  void pollsArrivingWhileABatchIsStoredJoinTheNextBatchInOffsetOrder(TestBroker broker)
      throws Exception {
    Fixture f = fixture(broker, 3);
    List<String> ids = publishEvents(f.input(), 40_000, "join");
    KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), Map.of());
    WorkerSettings settings =
        WorkerSettings.builder("store-worker", kafka)
            .group(f.group())
            .topics(f.input().name())
            .build();
    SlowMemorySink sink = new SlowMemorySink();
    try (Publisher publisher = new Publisher(kafka, Map.of())) {
      Worker<LogEvent> worker = new Worker<>(settings, LogEvent.class, sink, publisher);
      Thread thread = Thread.ofPlatform().start(worker::run);
      org.awaitility.Awaitility.await().atMost(LONG).until(() -> sink.stored() >= ids.size());
      worker.stop();
      thread.join(TimeUnit.SECONDS.toMillis(60));
    }
    List<SlowMemorySink.Batch> batches = List.copyOf(sink.batches);
    // A poll brings at most 5,000 records; a store this slow lets several polls join one batch.
    assertThat(batches).anyMatch(b -> b.jobs().size() > 5_000);
    assertThat(batches).allMatch(b -> b.jobs().size() <= BatchLoop.MAX_BATCH_RECORDS + 5_000);
    assertThat(batches.stream().flatMap(b -> b.jobs().stream()).map(j -> j.message().id()))
        .containsExactlyInAnyOrderElementsOf(ids);
    // Within a partition the batches follow each other: each starts where the last one ended,
    // and the offsets stored with a batch are the ones after its last record.
    Map<TopicPartition, Long> next = new HashMap<>();
    for (SlowMemorySink.Batch batch : batches) {
      Map<TopicPartition, Long> last = new HashMap<>();
      for (Job<LogEvent> job : batch.jobs()) {
        TopicPartition partition = new TopicPartition(job.topic(), job.partition());
        assertThat(job.offset()).isEqualTo(next.getOrDefault(partition, 0L));
        next.put(partition, job.offset() + 1);
        last.put(partition, job.offset() + 1);
      }
      assertThat(batch.nextOffsets()).isEqualTo(last);
    }
  }

  @Test
  void sigtermCommitsExactlyWhatWasProcessed(TestBroker broker) throws Exception {
    Fixture f = fixture(broker, 6);
    List<String> ids = publishEvents(f.input(), 3000, "term");
    try (JavaProcess worker =
        startWorker(broker, f, "terminated", "--delay-ms", "20", "--concurrency", "40")) {
      f.output().awaitKeys(keys -> keys.size() >= 500, LONG);
      worker.terminate(Duration.ofSeconds(60));
    }
    List<String> processed = f.output().keys();
    assertThat(processed).as("stopped before the end").hasSizeLessThan(ids.size());
    assertThat(processed).as("nothing processed twice").doesNotHaveDuplicates();
    assertThat(committedRecords(broker, f))
        .as("committed offsets count exactly the processed records")
        .isEqualTo(processed.size());

    try (JavaProcess next = startWorker(broker, f, "next", "--concurrency", "40")) {
      f.output().awaitKeys(keys -> new HashSet<>(keys).containsAll(ids), LONG);
      next.terminate(Duration.ofSeconds(60));
    }
    assertThat(f.output().keys())
        .as("no record redone after a graceful stop")
        .hasSize(ids.size())
        .doesNotHaveDuplicates();
  }

  private static long committedRecords(TestBroker broker, Fixture f) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(f.group())
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      return offsets.values().stream()
          .filter(java.util.Objects::nonNull)
          .mapToLong(OffsetAndMetadata::offset)
          .sum();
    }
  }

  @Test
  void secondProcessJoiningTriggersARebalanceAndBothShareTheWork(TestBroker broker)
      throws Exception {
    Fixture f = fixture(broker, 6);
    List<String> ids = publishEvents(f.input(), 3000, "share");
    try (JavaProcess first =
            startWorker(broker, f, "first", "--delay-ms", "20", "--concurrency", "8");
        JavaProcess second = startAfter(f, broker, first)) {
      f.output().awaitKeys(keys -> new HashSet<>(keys).containsAll(ids), LONG);
      Map<String, Long> byProcess =
          f.output().values().stream()
              .collect(
                  Collectors.groupingBy(
                      v -> v.substring(1, v.indexOf(':')), Collectors.counting()));
      assertThat(byProcess)
          .containsOnlyKeys(String.valueOf(first.pid()), String.valueOf(second.pid()));
      assertThat(byProcess.get(String.valueOf(second.pid())))
          .as("records done by the process that joined")
          .isGreaterThan(100);
      assertThat(second.lines()).anyMatch(line -> line.contains("Assigned"));
    }
  }

  private static JavaProcess startAfter(Fixture f, TestBroker broker, JavaProcess first) {
    f.output().awaitKeys(keys -> keys.size() >= 100, LONG);
    assertThat(first.isAlive()).isTrue();
    return startWorker(broker, f, "second", "--delay-ms", "20", "--concurrency", "8");
  }

  @Test
  void shareGroupWorkerKilledMidJobHasItsJobRedelivered(TestBroker broker) throws Exception {
    Fixture f = fixture(broker, 2);
    broker.startShareGroupAtEarliest(f.group());
    List<String> ids = publishEvents(f.input(), 8, "job");
    Set<String> startedByFirst;
    try (JavaProcess first =
        startWorker(
            broker, f, "first", "--model", "SHARE", "--delay-ms", "60000", "--concurrency", "8")) {
      first.awaitLine(line -> line.startsWith("started "), LONG);
      first.kill();
      startedByFirst =
          first.lines().stream()
              .filter(l -> l.startsWith("started "))
              .map(l -> l.substring(8))
              .collect(Collectors.toSet());
    }
    assertThat(f.output().keys()).as("the killed worker finished nothing").isEmpty();
    try (JavaProcess second =
        startWorker(
            broker, f, "second", "--model", "SHARE", "--delay-ms", "10", "--concurrency", "8")) {
      f.output().awaitKeys(keys -> new HashSet<>(keys).containsAll(ids), LONG);
    }
    Map<String, String> deliveries = new HashMap<>();
    f.output()
        .readAll()
        .forEach(
            r ->
                deliveries.put(
                    new String(r.key(), StandardCharsets.UTF_8),
                    new String(r.value(), StandardCharsets.UTF_8)));
    assertThat(startedByFirst).isNotEmpty();
    for (String id : startedByFirst) {
      assertThat(deliveries.get(id))
          .as("delivery count of %s, started by the killed worker", id)
          .endsWith(":2\"");
    }
  }

  @Test
  void shareGroupJobLongerThanTheBrokersDefaultLockRunsOnceUnderTheGroupsLock(TestBroker broker)
      throws Exception {
    // The test broker's default lock lasts 5 s; each job takes 8 s; the worker sets 20 s.
    Fixture f = fixture(broker, 2);
    List<String> ids = publishEvents(f.input(), 3, "slow");
    try (JavaProcess worker =
        startWorker(
            broker,
            f,
            "slow",
            "--model",
            "SHARE",
            "--delay-ms",
            "8000",
            "--lock-ms",
            "20000",
            "--concurrency",
            "8")) {
      f.output().awaitKeys(keys -> new HashSet<>(keys).containsAll(ids), LONG);
      Thread.sleep(2000); // a redelivered copy would be finishing now
    }
    List<ConsumerRecord<byte[], byte[]>> outputs = f.output().readAll();
    assertThat(outputs).hasSize(ids.size());
    assertThat(outputs)
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .as("delivered once, never handed to another consumer")
                    .endsWith(":1\""));
  }

  @Test
  void shareGroupRecordAtItsDeliveryLimitIsDeadLetteredWithTheReason(TestBroker broker)
      throws Exception {
    Fixture f = fixture(broker, 1);
    List<String> ids = publishEvents(f.input(), 1, "crasher");
    try (JavaProcess first =
        startWorker(
            broker,
            f,
            "first",
            "--model",
            "SHARE",
            "--delay-ms",
            "60000",
            "--max-deliveries",
            "2")) {
      first.awaitLine(line -> line.equals("started " + ids.get(0)), LONG);
      first.kill();
    }
    Topic deadLetters = new Topic(broker.bootstrapServers(), f.input().name() + ".dlq");
    try (JavaProcess second =
        startWorker(
            broker, f, "second", "--model", "SHARE", "--delay-ms", "10", "--max-deliveries", "2")) {
      deadLetters.awaitKeys(keys -> !keys.isEmpty(), LONG);
      assertThat(second.lines()).noneMatch(line -> line.startsWith("started "));
    }
    ConsumerRecord<byte[], byte[]> dead = deadLetters.readAll().get(0);
    assertThat(header(dead, DeadLetter.REASON)).startsWith("delivered 2 times without finishing");
    assertThat(header(dead, DeadLetter.ERROR_CLASS)).endsWith("DeliveryLimitException");
    assertThat(f.output().keys()).isEmpty();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

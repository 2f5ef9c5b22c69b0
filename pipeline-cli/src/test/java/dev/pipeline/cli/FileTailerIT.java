package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.LogLines;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class FileTailerIT {
  @TempDir Path dir;

  /** Sends straight through a Publisher. */
  private record Direct(Publisher publisher) implements Sender {
    @Override
    public CompletableFuture<?> send(String topic, String key, Object message) {
      return publisher.publish(topic, key, message);
    }

    @Override
    public CompletableFuture<?> sendRaw(ProducerRecord<byte[], byte[]> record) {
      return publisher.send(record);
    }

    @Override
    public void flush() {
      publisher.flush();
    }
  }

  private static void append(Path file, int from, int to) throws IOException {
    String lines =
        IntStream.range(from, to).mapToObj(i -> "line-" + i + "\n").collect(Collectors.joining());
    Files.writeString(
        file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static List<String> messages(Topic topic) {
    return topic.readAll().stream()
        .map(r -> MessageCodec.standard().decode(r.value(), LogEvent.class).message())
        .toList();
  }

  private static List<String> expected(int count) {
    return IntStream.range(0, count).mapToObj(i -> "line-" + i).toList();
  }

  @Test
  void everyLineIsPublishedExactlyOnceAcrossRestartsRotationAndTruncation(TestBroker broker)
      throws Exception {
    Topic topic = new Topic(broker.bootstrapServers(), broker.unique("tail")).create(3);
    new Topic(broker.bootstrapServers(), topic.name() + ".dlq").create(1);
    Path log = dir.resolve("app.log");
    Path registry = dir.resolve("tail");
    try (Publisher publisher =
        new Publisher(new KafkaSettings(broker.bootstrapServers(), Map.of()), Map.of())) {
      Sender sender = new Direct(publisher);
      append(log, 0, 100);
      new FileTailer(
              log, registry, sender, topic.name(), LogLines.Format.PLAIN, "app", "box", () -> false)
          .run(false);
      assertThat(messages(topic)).containsExactlyInAnyOrderElementsOf(expected(100));

      append(log, 100, 150);
      AtomicBoolean stop = new AtomicBoolean();
      FileTailer following =
          new FileTailer(
              log, registry, sender, topic.name(), LogLines.Format.PLAIN, "app", "box", stop::get);
      CompletableFuture<FileTailer.Summary> running =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return following.run(true);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      awaitCount(topic, 150);

      // Rotation: the writer renames the file, still writes a little to the old one, then starts a
      // new one.
      Files.move(log, dir.resolve("app.log.1"));
      append(dir.resolve("app.log.1"), 150, 160);
      append(log, 160, 200);
      awaitCount(topic, 200);

      // Truncation in place: the file starts over, shorter than where the tailer was.
      Files.writeString(log, "", StandardOpenOption.TRUNCATE_EXISTING);
      append(log, 200, 220);
      awaitCount(topic, 220);
      stop.set(true);
      running.get();

      // A new run continues exactly where the last one stopped.
      append(log, 220, 240);
      new FileTailer(
              log, registry, sender, topic.name(), LogLines.Format.PLAIN, "app", "box", () -> false)
          .run(false);
    }
    List<String> published = messages(topic);
    assertThat(published).hasSize(240).containsExactlyInAnyOrderElementsOf(expected(240));
    assertThat(
            topic.readAll().stream()
                .map(r -> MessageCodec.standard().decode(r.value(), LogEvent.class).id())
                .distinct())
        .as("event ids are unique across truncation")
        .hasSize(240);
  }

  @Test
  void unreadableLinesGoToTheDeadLetterTopicWithTheirReasonAndTheRestFlows(TestBroker broker)
      throws Exception {
    Topic topic = new Topic(broker.bootstrapServers(), broker.unique("tailjson")).create(1);
    Topic dlq = new Topic(broker.bootstrapServers(), topic.name() + ".dlq").create(1);
    Path log = dir.resolve("events.ndjson");
    Files.writeString(
        log,
        String.join(
                "\n",
                "{\"service\":\"api\",\"host\":\"h\",\"level\":\"INFO\",\"message\":\"good 1\"}",
                "{\"service\":\"api\",\"host\":",
                "{\"service\":\"api\",\"host\":\"h\",\"message\":\"no level\"}",
                "{\"service\":\"api\",\"host\":\"h\",\"level\":\"INFO\",\"message\":\"good 2\"}")
            + "\n");
    try (Publisher publisher =
        new Publisher(new KafkaSettings(broker.bootstrapServers(), Map.of()), Map.of())) {
      FileTailer.Summary summary =
          new FileTailer(
                  log,
                  dir.resolve("tail"),
                  new Direct(publisher),
                  topic.name(),
                  LogLines.Format.JSON,
                  "x",
                  "box",
                  () -> false)
              .run(false);
      assertThat(summary.invalid()).isEqualTo(2);
    }
    assertThat(messages(topic)).containsExactly("good 1", "good 2");
    List<ConsumerRecord<byte[], byte[]>> dead = dlq.readAll();
    assertThat(dead).hasSize(2);
    assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8))
        .isEqualTo("{\"service\":\"api\",\"host\":");
    assertThat(header(dead.get(0), "dlq.reason")).startsWith("not valid JSON");
    assertThat(header(dead.get(1), "dlq.reason")).isEqualTo("invalid LogEvent: level is required");
    assertThat(header(dead.get(1), "dlq.origin.topic")).isEqualTo("file:" + log.toAbsolutePath());
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static void awaitCount(Topic topic, int count) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> topic.readAll().size() >= count);
  }
}

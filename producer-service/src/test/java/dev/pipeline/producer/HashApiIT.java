package dev.pipeline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashAnswer;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.DeadLetter;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /v1/hashes} on a real HTTP port in front of a real broker. The test answers the jobs
 * itself, as a worker would (hasher-worker's own tests and the CLI's cover real hashing): what is
 * checked here is that each job reaches Kafka and each outcome finds its way back to its request.
 */
@ExtendWith(KafkaBrokerExtension.class)
class HashApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MessageCodec CODEC = MessageCodec.standard();

  private final HttpClient http = HttpClient.newHttpClient();
  private Publisher publisher;
  private HashIntake hashes;
  private HttpApi api;
  private final AtomicBoolean answering = new AtomicBoolean(true);
  private Thread worker;

  private void start(TestBroker broker, String token) throws Exception {
    KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), Map.of());
    ServiceRunner.prepareTopics(kafka, 3);
    publisher = new Publisher(kafka, ProducerService.ingestProducerSettings());
    hashes = new HashIntake(kafka);
    api =
        HttpApi.start(
            "127.0.0.1",
            0,
            token,
            ProducerService.routes(
                new LogIngest(publisher, "logs.events"), publisher, hashes, 1 << 20));
  }

  /**
   * Answers every job on hash.jobs from now on: a digest of its text, or a dead letter for a job
   * whose id says so; jobs whose id says "silent" get no answer at all.
   */
  private void answerJobs(TestBroker broker) throws Exception {
    KafkaSettings kafka = new KafkaSettings(broker.bootstrapServers(), Map.of());
    Map<String, Object> config = kafka.clientConfig(Map.of());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> jobs =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    jobs.partitionsFor(Topics.HASH_JOBS)
        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    jobs.assign(partitions);
    jobs.seekToEnd(partitions);
    partitions.forEach(jobs::position);
    worker =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (jobs) {
                    while (answering.get()) {
                      for (ConsumerRecord<String, byte[]> record :
                          jobs.poll(Duration.ofMillis(100))) {
                        answer(CODEC.decode(record.value(), HashJob.class), record);
                      }
                    }
                  }
                });
  }

  private void answer(HashJob job, ConsumerRecord<String, byte[]> record) {
    if (job.jobId().contains("silent")) {
      return;
    }
    if (job.jobId().contains("dlq")) {
      publisher.send(
          DeadLetter.of(
              Topics.HASH_JOBS,
              record.key().getBytes(StandardCharsets.UTF_8),
              record.value(),
              record.headers(),
              new IllegalArgumentException("refused by the test worker"),
              new DeadLetter.Origin(record.topic(), record.partition(), record.offset()),
              3,
              "test-worker"));
      return;
    }
    publisher.publish(
        Topics.HASH_RESULTS,
        job.jobId(),
        new HashResult(
            1,
            job.jobId(),
            "text",
            job.source().value().length(),
            Map.of("SHA-256", "ab".repeat(32)),
            null,
            1,
            "test-worker",
            null,
            null));
  }

  @AfterEach
  void stop() throws Exception {
    answering.set(false);
    if (worker != null) {
      worker.join();
    }
    if (api != null) {
      api.close();
    }
    if (hashes != null) {
      hashes.close();
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  private HttpResponse<String> post(String query, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/hashes" + query))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String job(String id, String text) {
    return "{\"jobId\":\"" + id + "\",\"source\":{\"kind\":\"TEXT\",\"value\":\"" + text + "\"}}";
  }

  private static List<HashAnswer.Line> lines(HttpResponse<String> response) {
    return response.body().lines().filter(line -> !line.isBlank()).map(HashAnswer::read).toList();
  }

  @Test
  void eachJobsOutcomeStreamsBackAndBadLinesAreRefusedByNumber(TestBroker broker) throws Exception {
    start(broker, null);
    answerJobs(broker);
    String run = broker.unique("run");
    String body =
        String.join(
            "\n",
            job(run + "-a", "alpha"),
            "{\"source\":{\"kind\":\"TEXT\",\"value\":\"no id given\"},\"algorithms\":[\"sha-512\"]}",
            "not json",
            "",
            "{\"source\":{\"kind\":\"BASE64\",\"value\":\"@@@\"}}",
            "{\"source\":{\"kind\":\"TEXT\",\"value\":\"x\"},\"algorithm\":\"MD5\"}",
            job(run + "-dlq", "refused"),
            job(run + "-a", "twice"));
    HttpResponse<String> response = post("", body + "\n");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/x-ndjson");
    List<HashAnswer.Line> lines = lines(response);
    assertThat(lines.getLast()).isEqualTo(new HashAnswer.End(3, 3, 0));
    List<HashAnswer.Refused> refused =
        lines.stream()
            .filter(HashAnswer.Refused.class::isInstance)
            .map(HashAnswer.Refused.class::cast)
            .toList();
    // Line 4 is blank: skipped, but counted, so the numbers match the lines the client sent.
    assertThat(refused).extracting(HashAnswer.Refused::line).containsExactly(3L, 5L, 6L, 8L);
    assertThat(refused.get(0).reason()).startsWith("not valid JSON");
    assertThat(refused.get(1).reason()).contains("base64");
    assertThat(refused.get(2).reason()).contains("unknown field 'algorithm'");
    assertThat(refused.get(3).reason()).contains("appears twice");
    Map<String, HashAnswer.Job> jobs = new java.util.HashMap<>();
    lines.stream()
        .filter(HashAnswer.Job.class::isInstance)
        .map(HashAnswer.Job.class::cast)
        .forEach(job -> jobs.put(job.outcome().jobId(), job));
    assertThat(jobs).hasSize(3).containsKeys(run + "-a", run + "-dlq");
    assertThat(jobs.get(run + "-a").outcome().result().size()).isEqualTo(5);
    assertThat(jobs.get(run + "-dlq").outcome().failure())
        .contains("dead-lettered: ")
        .contains("refused by the test worker");
    String madeUp =
        jobs.keySet().stream().filter(id -> id.startsWith("hash-")).findFirst().orElseThrow();
    assertThat(madeUp).endsWith("-2"); // named after its line
    assertThat(jobs.get(madeUp).outcome().result().size()).isEqualTo("no id given".length());
  }

  @Test
  void withoutWaitingTheAnswerCountsWhatWasPublished(TestBroker broker) throws Exception {
    start(broker, null);
    String run = broker.unique("nowait");
    HttpResponse<String> accepted =
        post("?wait=false", job(run + "-1", "one") + "\n" + job(run + "-2", "two"));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    assertThat(JSON.readTree(accepted.body()).get("accepted").asInt()).isEqualTo(2);

    HttpResponse<String> partly = post("?wait=false", job(run + "-3", "three") + "\n{}\n");
    assertThat(partly.statusCode()).isEqualTo(400);
    JsonNode answer = JSON.readTree(partly.body());
    assertThat(answer.get("accepted").asInt()).isEqualTo(1);
    assertThat(answer.get("refused").get("2").asText()).contains("source");

    for (String query : List.of("", "?wait=false")) {
      HttpResponse<String> empty = post(query, "\n  \n");
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(empty.body()).get("error").asText())
          .isEqualTo("the body holds no jobs: send one JSON object per line");
    }
  }

  @Test
  void aRunEndsAtItsTimeoutWithThePendingCounted(TestBroker broker) throws Exception {
    start(broker, null);
    answerJobs(broker);
    String run = broker.unique("timeout");
    HttpResponse<String> response =
        post("?timeout=2", job(run + "-done", "x") + "\n" + job(run + "-silent", "y"));
    assertThat(response.statusCode()).isEqualTo(200);
    List<HashAnswer.Line> lines = lines(response);
    assertThat(lines.getLast()).isEqualTo(new HashAnswer.End(2, 1, 1));
  }

  @Test
  void waitingRunsAreCappedAndAClientThatGoesAwayFreesItsRun(TestBroker broker) throws Exception {
    start(broker, null);
    String run = broker.unique("cap");
    List<java.net.Socket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < HashIntake.MAX_WAITING_RUNS; i++) {
        // A raw client: it reads the status line of a run that will not end, then leaves.
        java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port());
        clients.add(socket);
        byte[] body = job(run + "-silent-" + i, "x").getBytes(StandardCharsets.UTF_8);
        socket
            .getOutputStream()
            .write(
                ("POST /v1/hashes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                        + body.length
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        String status =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertThat(status).isEqualTo("HTTP/1.1 200 OK");
      }
      HttpResponse<String> refused = post("", job(run + "-one-too-many", "x"));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).contains("5");
      assertThat(JSON.readTree(refused.body()).get("error").asText())
          .contains(HashIntake.MAX_WAITING_RUNS + " hash runs are already waiting");
    } finally {
      for (java.net.Socket socket : clients) {
        socket.close();
      }
    }
    // Each run notices its client has gone at its next keep-alive line (every 5 s of quiet).
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                post("?timeout=1", job(run + "-after-" + System.nanoTime(), "x")).statusCode()
                    == 200);
  }

  @Test
  void badParametersTokenAndMethodAreRefusedWithTheReason(TestBroker broker) throws Exception {
    start(broker, "s3cret");
    String auth = "Bearer s3cret";
    assertThat(post("", job("t", "x")).statusCode()).isEqualTo(401);
    HttpResponse<String> badTimeout =
        post("?timeout=forever", job("t", "x"), "Authorization", auth);
    assertThat(badTimeout.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badTimeout.body()).get("error").asText()).contains("timeout");
    assertThat(post("?timeout=P2D", job("t", "x"), "Authorization", auth).statusCode())
        .isEqualTo(400);
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/hashes"))
                .header("Authorization", auth)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }
}

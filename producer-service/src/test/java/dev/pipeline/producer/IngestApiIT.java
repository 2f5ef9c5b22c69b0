package dev.pipeline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.crawl.CrawlRequest;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ingest API on a real HTTP port in front of a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class IngestApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENT =
      "{\"service\":\"api\",\"host\":\"h1\",\"level\":\"INFO\",\"message\":\"hello\"}";

  private final HttpClient http = HttpClient.newHttpClient();
  private Publisher publisher;
  private HttpApi api;
  private Topic topic;

  private void start(TestBroker broker, String token, int maxBody) throws Exception {
    topic = new Topic(broker.bootstrapServers(), broker.unique("logs")).create(3);
    publisher =
        new Publisher(
            new KafkaSettings(broker.bootstrapServers(), Map.of()),
            ProducerService.ingestProducerSettings());
    api =
        HttpApi.start(
            "127.0.0.1",
            0,
            token,
            ProducerService.routes(
                new LogIngest(publisher, topic.name()),
                publisher,
                new HashIntake(new KafkaSettings(broker.bootstrapServers(), Map.of())),
                maxBody));
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  private HttpResponse<String> post(String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/logs"))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private List<LogEvent> stored() {
    return topic.readAll().stream()
        .map(r -> MessageCodec.standard().decode(r.value(), LogEvent.class))
        .toList();
  }

  private HttpResponse<String> postCrawl(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/crawls"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void crawlIsAcceptedOnceKafkaHasItsJobAndSeeds(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    ServiceRunner.prepareTopics(new KafkaSettings(broker.bootstrapServers(), Map.of()), 3);
    String id = broker.unique("api-crawl");
    HttpResponse<String> response =
        postCrawl(
            "{\"urls\":[\"HTTP://Example.COM:80/a/../b#top\"],\"depth\":1,\"id\":\"" + id + "\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(json(response).get("crawlId").asText()).isEqualTo(id);
    assertThat(json(response).get("seeds").get(0).asText()).isEqualTo("http://example.com/b");

    List<FrontierUrl> seeds =
        new Topic(broker.bootstrapServers(), Topics.CRAWL_FRONTIER)
            .readAll().stream()
                .filter(r -> "example.com".equals(new String(r.key())))
                .map(r -> MessageCodec.standard().decode(r.value(), FrontierUrl.class))
                .filter(url -> url.crawlId().equals(id))
                .toList();
    assertThat(seeds).extracting(FrontierUrl::url).containsExactly("http://example.com/b");
    CrawlJob job =
        new Topic(broker.bootstrapServers(), Topics.CRAWL_JOBS)
            .readAll().stream()
                .filter(r -> id.equals(new String(r.key())))
                .map(r -> MessageCodec.standard().decode(r.value(), CrawlJob.class))
                .findFirst()
                .orElseThrow();
    assertThat(job.maxDepth()).isEqualTo(1);
    assertThat(job.delayMs()).isEqualTo(CrawlRequest.DEFAULT_DELAY_MS);
  }

  @Test
  void badCrawlsGet400WithTheReason(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    Map<String, String> reasons =
        Map.of(
            "{\"urls\":[\"http://example.com/\"],\"include\":[\"([\"]}",
                "include is not a valid regular expression: ([",
            "{\"urls\":[\"http://example.com/\"],\"depth\":-1}", "depth must be at least 0: -1",
            "{\"urls\":[\"ftp://example.com/\"]}", "url must be an http or https URL",
            "{\"urls\":[\"http://example.com/\"],\"scope\":\"planet\"}",
                "scope must be same-host, same-domain or any",
            "{\"urls\":[]}", "urls is required",
            "{\"urls\":[\"http://example.com/\"],\"depht\":1}", "depht",
            "{\"urls\":[\"http://127.0.0.1:8080/\"]}", "127.0.0.1 is a loopback address",
            "not json", "not valid JSON");
    String login =
        "{\"urls\":[\"http://example.com/\"],\"login\":{\"url\":\"http://example.com/login\",";
    Map<String, String> logins =
        Map.of(
            login + "\"credential\":\"shop\",\"form\":\"form[[\"}}",
                "login.form is not a CSS selector",
            login + "\"credential\":\"my shop\"}}", "login.credential must be a name",
            // a password has no field to travel in
            login + "\"credential\":\"shop\",\"password\":\"hunter2\"}}", "password",
            login + "\"credential\":\"shop\",\"loggedOutStatus\":99}}",
                "login.loggedOutStatus must be an HTTP status");
    String crawl = "{\"urls\":[\"http://example.com/\"],";
    Map<String, String> rendering =
        Map.of(
            crawl + "\"render\":\"sometimes\"}", "render must be never, auto or always",
            login
                    + "\"credential\":\"shop\",\"steps\":[{\"action\":\"fill\",\"selector\":\"#p\",\"valu\":\"x\"}]}}",
                "unknown field 'login.steps[0].valu'",
            crawl
                    + "\"sequences\":[{\"on\":\"x\",\"steps\":[{\"action\":\"click\",\"selectr\":\"#a\"}]}]}",
                "unknown field 'sequences[0].steps[0].selectr'",
            crawl + "\"sequences\":[{\"on\":\"x\",\"steps\":[{\"action\":\"fly\"}]}]}",
                "step action must be one of",
            crawl + "\"sequences\":[{\"on\":\"([\",\"steps\":[{\"action\":\"screenshot\"}]}]}",
                "on is not a valid regular expression",
            crawl
                    + "\"sequences\":[{\"on\":\"x\",\"steps\":[{\"action\":\"fill\",\"selector\":\"#q\"}]}]}",
                "fill needs a value or a credential");
    Map<String, String> all = new java.util.HashMap<>(reasons);
    all.putAll(logins);
    all.putAll(rendering);
    for (Map.Entry<String, String> bad : all.entrySet()) {
      HttpResponse<String> response = postCrawl(bad.getKey());
      assertThat(response.statusCode()).as(bad.getKey()).isEqualTo(400);
      assertThat(response.body()).as(bad.getKey()).contains(bad.getValue());
    }
  }

  @Test
  void singleEventIsAcceptedOnceKafkaHasItAndKeyedBySource(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    HttpResponse<String> response = post(EVENT);
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response).get("accepted").asInt()).isEqualTo(1);
    List<ConsumerRecord<byte[], byte[]>> records = topic.readAll();
    assertThat(records).hasSize(1);
    assertThat(new String(records.get(0).key())).isEqualTo("api/h1");
    LogEvent event = stored().get(0);
    assertThat(event.id()).isNotBlank();
    assertThat(event.timestamp()).isNotNull();
    assertThat(event.message()).isEqualTo("hello");
  }

  @Test
  void invalidLinesAreReportedByLineWhileValidOnesAreAccepted(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    String ndjson =
        String.join(
            "\n",
            EVENT.replace("hello", "first"),
            "{\"service\":\"api\",\"host\":",
            EVENT.replace("\"level\":\"INFO\",", ""),
            EVENT.replace("\"INFO\"", "\"LOUD\""),
            EVENT.replace("\"hello\"", "\"" + "x".repeat(70_000) + "\""),
            EVENT.replace("\"host\":\"h1\"", "\"host\":[1,2]"),
            "",
            EVENT.replace("hello", "last"));
    HttpResponse<String> response = post(ndjson);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode answer = json(response);
    assertThat(answer.get("accepted").asInt()).isEqualTo(2);
    assertThat(answer.get("rejected").asInt()).isEqualTo(5);
    assertThat(answer.get("errors"))
        .extracting(e -> e.get("line").asInt())
        .containsExactly(2, 3, 4, 5, 6);
    assertThat(answer.get("errors").get(0).get("reason").asText()).startsWith("not valid JSON");
    assertThat(answer.get("errors").get(1).get("reason").asText())
        .isEqualTo("invalid LogEvent: level is required");
    assertThat(answer.get("errors").get(2).get("reason").asText()).contains("LOUD");
    assertThat(answer.get("errors").get(3).get("reason").asText())
        .contains("message is longer than 65536 characters");
    assertThat(answer.get("errors").get(4).get("reason").asText()).contains("host");
    assertThat(stored()).extracting(LogEvent::message).containsExactly("first", "last");
  }

  @Test
  void jsonArrayPositionsAreReportedLikeLines(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    HttpResponse<String> response = post("[" + EVENT + ", 42, " + EVENT + "]");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("accepted").asInt()).isEqualTo(2);
    assertThat(json(response).get("errors").get(0).get("line").asInt()).isEqualTo(2);
    assertThat(json(response).get("errors").get(0).get("reason").asText())
        .isEqualTo("expected a JSON object, got number");
    assertThat(stored()).hasSize(2);
  }

  @Test
  void emptyOrNonEventBodiesAreRefused(TestBroker broker) throws Exception {
    start(broker, null, 1 << 20);
    assertThat(post("").statusCode()).isEqualTo(400);
    assertThat(json(post("  ")).get("error").asText()).startsWith("the request has no events");
    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/logs"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(stored()).isEmpty();
  }

  @Test
  void tokenIsRequiredWhenSetButNotForHealth(TestBroker broker) throws Exception {
    start(broker, "s3cret", 1 << 20);
    assertThat(post(EVENT).statusCode()).isEqualTo(401);
    assertThat(post(EVENT, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(post(EVENT, "Authorization", "Bearer s3cret").statusCode()).isEqualTo(202);
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(stored()).hasSize(1);
  }

  @Test
  void bodyOverTheLimitGets413AndNothingIsPublished(TestBroker broker) throws Exception {
    start(broker, null, 1000);
    String big = (EVENT + "\n").repeat(30);
    HttpResponse<String> response = post(big);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).get("error").asText())
        .isEqualTo("request body is larger than 1000 bytes");
    assertThat(stored()).isEmpty();
  }

  @Test
  void brokerDownGets503WithRetryAfterAndNothingIsLostOrAcceptedSilently(TestBroker broker)
      throws Exception {
    start(broker, null, 1 << 20);
    assertThat(post(EVENT.replace("hello", "before")).statusCode()).isEqualTo(202);
    broker.stop();
    try {
      HttpResponse<String> response = post(EVENT.replace("hello", "while down"));
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).contains("5");
      assertThat(json(response).get("accepted").asInt()).isZero();
      assertThat(json(response).get("error").asText()).startsWith("Kafka did not take the events");
    } finally {
      broker.start();
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(() -> post(EVENT.replace("hello", "after")).statusCode() == 202);
    assertThat(stored())
        .extracting(LogEvent::message)
        .doesNotContain("while down")
        .contains("before", "after");
  }
}

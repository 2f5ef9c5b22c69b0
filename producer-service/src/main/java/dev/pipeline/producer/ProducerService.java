package dev.pipeline.producer;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.http.HttpError;
import dev.pipeline.core.http.HttpOptions;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where work comes in over HTTP: {@code POST /v1/logs} takes log events and answers once Kafka has
 * them; {@code POST /v1/crawls} starts a crawl; {@code POST /v1/hashes} publishes hash jobs and
 * streams their results back. Binds to 127.0.0.1 unless told otherwise; a bearer token guards it
 * when one is set.
 */
@Command(
    name = "producer-service",
    mixinStandardHelpOptions = true,
    description =
        "The HTTP ingest API: POST /v1/logs (JSON, JSON array or NDJSON), POST /v1/crawls, POST /v1/hashes (NDJSON jobs; streams their results back), GET /health.")
public final class ProducerService implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ProducerService.class);

  @Mixin ServiceOptions options;

  @Mixin HttpOptions http;

  @Option(
      names = "--http-port",
      defaultValue = "${env:PIPELINE_HTTP_PORT:-8080}",
      description =
          "HTTP port; 0 picks a free one (env PIPELINE_HTTP_PORT, default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--max-body",
      defaultValue = "${env:PIPELINE_HTTP_MAX_BODY:-10485760}",
      description =
          "Largest request body in bytes; larger ones get 413 (env PIPELINE_HTTP_MAX_BODY, default ${DEFAULT-VALUE}).")
  int maxBody;

  @Option(
      names = "--topic",
      defaultValue = "${env:PIPELINE_LOGS_TOPIC:-logs.events}",
      description = "Topic log events go to (env PIPELINE_LOGS_TOPIC, default ${DEFAULT-VALUE}).")
  String topic;

  @Override
  public Integer call() throws Exception {
    KafkaSettings kafka = options.kafka();
    ServiceRunner.prepareTopics(kafka, options.partitions());
    try (Publisher publisher = new Publisher(kafka, ingestProducerSettings());
        HashIntake hashes = new HashIntake(kafka)) {
      HttpApi api =
          http.start(httpPort, routes(new LogIngest(publisher, topic), publisher, hashes, maxBody));
      log.info("producer-service ready: listening on http://{}:{}", http.host(), api.port());
      ServiceRunner.markReady();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    api.close();
                    publisher.flush();
                    hashes.close();
                    stopped.countDown();
                  },
                  "producer-service-shutdown"));
      stopped.await();
    }
    return 0;
  }

  /**
   * A client waits for Kafka's answer, so the producer gives up in seconds rather than minutes when
   * the cluster is away; the client gets 503 and retries.
   */
  static Map<String, Object> ingestProducerSettings() {
    return Map.of(
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
  }

  static Map<String, HttpApi.Handler> routes(
      LogIngest ingest, Publisher publisher, HashIntake hashes, int maxBody) {
    return Map.of(
        "/v1/hashes",
        hashes.handler(),
        "/v1/crawls",
        CrawlIntake.handler(publisher, maxBody),
        "/v1/logs",
        HttpApi.route(
            Set.of("POST"),
            request -> {
              String body = new String(request.body(maxBody), StandardCharsets.UTF_8);
              LogIngest.Parsed parsed;
              try {
                parsed = ingest.parse(body);
              } catch (InvalidMessageException e) {
                throw new HttpError(400, e.getMessage());
              }
              LogIngest.Outcome outcome = ingest.publish(parsed);
              Map<String, Object> answer = new LinkedHashMap<>();
              answer.put("accepted", outcome.accepted());
              if (outcome.kafkaFailure() != null) {
                answer.put(
                    "error",
                    "Kafka did not take the events: " + outcome.kafkaFailure().getMessage());
                answer.put("rejected", outcome.rejected().size());
                return new HttpApi.Response(503, answer, Map.of("Retry-After", "5"));
              }
              if (!outcome.rejected().isEmpty()) {
                answer.put("rejected", outcome.rejected().size());
                answer.put("errors", outcome.rejected());
                return HttpApi.json(400, answer);
              }
              return HttpApi.json(202, answer);
            }));
  }

  public static void main(String[] args) {
    ServiceMain.run("producer-service", new ProducerService(), args);
  }
}

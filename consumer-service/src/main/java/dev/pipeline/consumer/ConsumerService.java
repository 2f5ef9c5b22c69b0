package dev.pipeline.consumer;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.http.HttpError;
import dev.pipeline.core.http.HttpOptions;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The store: consumes {@code logs.events} (group {@code consumer-service}) and {@code hash.results}
 * (group {@code consumer-service-results}), writes each poll as one SQL transaction with its
 * offsets (SQLite by default, PostgreSQL by URL), and answers queries over HTTP.
 */
@Command(
    name = "consumer-service",
    mixinStandardHelpOptions = true,
    description =
        "Stores logs.events and hash.results exactly once in SQL (SQLite or PostgreSQL) and answers /v1/logs/stats and /v1/logs/search.")
public final class ConsumerService implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);

  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_CONSUMER_GROUP:-consumer-service}",
      description =
          "Consumer group of the log events; hash results are stored by GROUP-results (env PIPELINE_CONSUMER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--topic",
      defaultValue = "${env:PIPELINE_LOGS_TOPIC:-logs.events}",
      description =
          "Topic of log events; invalid ones go to TOPIC.dlq (env PIPELINE_LOGS_TOPIC, default ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--results-topic",
      defaultValue = "${env:PIPELINE_HASH_RESULTS_TOPIC:-hash.results}",
      description =
          "Topic of hash results, stored one per job id (env PIPELINE_HASH_RESULTS_TOPIC, default ${DEFAULT-VALUE}).")
  String resultsTopic;

  @Option(
      names = "--pages-topic",
      defaultValue = "${env:PIPELINE_CRAWL_PAGES_TOPIC:-crawl.pages}",
      description =
          "Topic of crawl pages, stored one per crawl and URL by GROUP-pages (env PIPELINE_CRAWL_PAGES_TOPIC, default ${DEFAULT-VALUE}).")
  String pagesTopic;

  @Option(
      names = "--db-url",
      defaultValue = "${env:PIPELINE_DB_URL:-jdbc:sqlite:.pipeline/data/pipeline.db}",
      description =
          "JDBC URL of the store: jdbc:sqlite:FILE or jdbc:postgresql://HOST:PORT/DB?user=U (env PIPELINE_DB_URL, default ${DEFAULT-VALUE}).")
  String dbUrl;

  @Mixin HttpOptions http;

  @Option(
      names = "--http-port",
      defaultValue = "${env:PIPELINE_HTTP_PORT:-8081}",
      description =
          "Port of the query API; 0 picks a free one (env PIPELINE_HTTP_PORT, default ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    Database database = new Database(dbUrl);
    database.migrate();
    TransactionalSink<LogEvent> logs =
        new TransactionalSink<>(database, group, new LogRows(database.dialect()));
    // Its own group, so each group's members and lag in `pipeline status` are one topic's.
    String resultsGroup = group + "-results";
    TransactionalSink<HashResult> results =
        new TransactionalSink<>(database, resultsGroup, new HashResultRows());
    String pagesGroup = group + "-pages";
    TransactionalSink<PageResult> pages =
        new TransactionalSink<>(database, pagesGroup, new CrawlPageRows());
    LogQueries queries = new LogQueries(database);
    HttpApi api = http.start(httpPort, routes(queries));
    log.info("Query API on http://{}:{}, store {}", http.host(), api.port(), database.dialect());
    try {
      return ServiceRunner.runAll(
          "consumer-service",
          options,
          (kafka, publisher) ->
              List.of(
                  new Worker<>(settings(kafka, group, topic), LogEvent.class, logs, publisher),
                  new Worker<>(
                      settings(kafka, resultsGroup, resultsTopic),
                      HashResult.class,
                      results,
                      publisher),
                  new Worker<>(
                      settings(kafka, pagesGroup, pagesTopic),
                      PageResult.class,
                      pages,
                      publisher)));
    } finally {
      api.close();
      logs.close();
      results.close();
      pages.close();
    }
  }

  private WorkerSettings settings(
      dev.pipeline.core.config.KafkaSettings kafka, String group, String topic) {
    return WorkerSettings.builder("consumer-service", kafka)
        .group(group)
        .topics(topic)
        .shutdownTimeout(options.shutdownTimeout())
        .build();
  }

  private static Map<String, HttpApi.Handler> routes(LogQueries queries) {
    return Map.of(
        "/v1/logs/stats",
        HttpApi.route(
            Set.of("GET"),
            request ->
                HttpApi.json(
                    200, queries.stats(duration(request.query().getOrDefault("since", "10m"))))),
        "/v1/logs/search",
        HttpApi.route(
            Set.of("GET"),
            request -> {
              Map<String, String> q = request.query();
              LogQueries.Filter filter;
              try {
                filter =
                    new LogQueries.Filter(
                        q.containsKey("level") ? level(q.get("level")) : null,
                        q.get("service"),
                        q.get("grep"),
                        q.containsKey("since") ? duration(q.get("since")) : null,
                        Integer.parseInt(q.getOrDefault("limit", "100")));
              } catch (IllegalArgumentException e) {
                throw new HttpError(
                    400,
                    e instanceof NumberFormatException
                        ? "limit must be a number: " + q.get("limit")
                        : e.getMessage());
              }
              return HttpApi.json(200, Map.of("events", queries.search(filter)));
            }));
  }

  private static LogEvent.Level level(String text) {
    try {
      return LogEvent.Level.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new HttpError(
          400,
          "level must be one of "
              + java.util.Arrays.toString(LogEvent.Level.values())
              + ": "
              + text);
    }
  }

  private static Duration duration(String text) {
    try {
      return LogQueries.parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "since: " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    ServiceMain.run("consumer-service", new ConsumerService(), args);
  }
}

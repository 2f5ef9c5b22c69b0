package dev.pipeline.crawler;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.crawl.CrawlSubmission;
import dev.pipeline.core.crawl.CrawlTracker;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlSequence;
import dev.pipeline.core.message.CrawlStep;
import dev.pipeline.core.runtime.Publisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Builds crawl jobs for tests, submits them and follows them to their end. */
final class Crawls implements AutoCloseable {
  private final KafkaSettings kafka;
  private final Publisher publisher;

  Crawls(String bootstrap) {
    this.kafka = KafkaSettings.resolve(bootstrap, Map.of(), Map.of());
    this.publisher = new Publisher(kafka, Map.of());
  }

  Job job(String... seeds) {
    return new Job(List.of(seeds));
  }

  /** Submits the crawl and returns its tracker, created first so it misses nothing. */
  CrawlTracker start(CrawlJob job) {
    CrawlTracker tracker = new CrawlTracker(kafka, job.crawlId(), null);
    CrawlSubmission.submit(publisher, job);
    return tracker;
  }

  /** Submits the crawl and waits until it is finished. */
  CrawlTracker run(CrawlJob job) {
    CrawlTracker tracker = start(job);
    if (!tracker.awaitFinished(Duration.ofSeconds(120))) {
      throw new AssertionError(
          "crawl "
              + job.crawlId()
              + " did not finish: fetched "
              + tracker.pages().keySet()
              + ", "
              + tracker.pending()
              + " pending");
    }
    return tracker;
  }

  /** Pages of the crawl in consumer-service's SQLite store; -1 before its tables exist. */
  // Steps written as users write them (field names as in a --steps file), without Java's quotes.
  private static final com.fasterxml.jackson.databind.ObjectMapper LENIENT_JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .build();

  /**
   * A step from its JSON, names unquoted and strings in single quotes: {@code {action: 'click'}}.
   */
  static CrawlStep step(String json) {
    try {
      return LENIENT_JSON.readValue(json, CrawlStep.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("bad step in a test: " + json, e);
    }
  }

  static long storedPages(java.nio.file.Path db, String crawlId) {
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.PreparedStatement count =
            connection.prepareStatement("SELECT COUNT(*) FROM crawl_pages WHERE crawl_id = ?")) {
      count.setString(1, crawlId);
      try (java.sql.ResultSet rs = count.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      return -1; // the store has not created its tables yet
    }
  }

  /** Closes a test class's crawls and stops its crawler process, whichever were started. */
  static void stop(@Nullable Crawls crawls, dev.pipeline.core.testing.@Nullable JavaProcess crawler)
      throws Exception {
    if (crawls != null) {
      crawls.close();
    }
    if (crawler != null) {
      crawler.terminate(Duration.ofSeconds(60));
    }
  }

  Publisher publisher() {
    return publisher;
  }

  @Override
  public void close() {
    publisher.close();
  }

  /** A crawl job with test defaults: no delay, private addresses allowed, depth 5. */
  static final class Job {
    final List<String> seeds;
    int depth = 5;
    @Nullable Integer maxPages;
    CrawlJob.Scope scope = CrawlJob.Scope.SAME_HOST;
    List<String> include = new ArrayList<>();
    List<String> exclude = new ArrayList<>();
    long delayMs;
    int perHost = 1;
    List<String> headers = new ArrayList<>();
    List<String> cookies = new ArrayList<>();
    @Nullable String basicAuth;
    @Nullable String basicAuthCredential;
    boolean ignoreRobots;
    boolean allowPrivate = true;
    @Nullable CrawlLogin login;
    CrawlJob.Render render = CrawlJob.Render.NEVER;
    List<String> renderPatterns = new ArrayList<>();
    List<CrawlSequence> sequences = new ArrayList<>();

    Job(List<String> seeds) {
      this.seeds = seeds;
    }

    Job depth(int depth) {
      this.depth = depth;
      return this;
    }

    Job maxPages(int maxPages) {
      this.maxPages = maxPages;
      return this;
    }

    Job scope(CrawlJob.Scope scope) {
      this.scope = scope;
      return this;
    }

    Job include(String regex) {
      include.add(regex);
      return this;
    }

    Job exclude(String regex) {
      exclude.add(regex);
      return this;
    }

    Job delay(long millis) {
      this.delayMs = millis;
      return this;
    }

    Job perHost(int perHost) {
      this.perHost = perHost;
      return this;
    }

    Job header(String header) {
      headers.add(header);
      return this;
    }

    Job cookie(String cookie) {
      cookies.add(cookie);
      return this;
    }

    Job basicAuth(String userPassword) {
      this.basicAuth = userPassword;
      return this;
    }

    Job basicAuthCredential(String name) {
      this.basicAuthCredential = name;
      return this;
    }

    Job ignoreRobots() {
      this.ignoreRobots = true;
      return this;
    }

    Job render(CrawlJob.Render render) {
      this.render = render;
      return this;
    }

    Job sequence(String on, CrawlStep... steps) {
      sequences.add(new CrawlSequence(on, List.of(steps)));
      return this;
    }

    Job renderPattern(String regex) {
      renderPatterns.add(regex);
      return this;
    }

    Job login(CrawlLogin login) {
      this.login = login;
      return this;
    }

    Job publicOnly() {
      this.allowPrivate = false;
      return this;
    }

    CrawlJob build() {
      return new CrawlJob(
          1,
          "test-" + UUID.randomUUID(),
          seeds,
          depth,
          maxPages,
          scope,
          include,
          exclude,
          delayMs,
          perHost,
          "pipeline-test/1.0",
          headers,
          cookies,
          basicAuth,
          basicAuthCredential,
          ignoreRobots,
          allowPrivate,
          Instant.now(),
          login,
          render,
          renderPatterns,
          null,
          sequences);
    }
  }
}

package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.consumer.ConsumerService;
import dev.pipeline.core.crawl.CrawlTracker;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlStep;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logged-in crawls against a real web application with a login form, through a real crawler process
 * that holds the credentials in its environment and in a secrets file.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LoginCrawlIT {
  // Distinctive, so a search for it cannot match anything else.
  private static final String PASSWORD = "pw-" + UUID.randomUUID();

  @TempDir static Path dir;
  private static JavaProcess crawler;
  private static Crawls crawls;

  @BeforeAll
  static void startCrawler(TestBroker broker) throws Exception {
    Path secrets = dir.resolve("secrets.properties");
    Files.writeString(
        secrets, "filed.username=" + LoginSite.USERNAME + "\nfiled.password=" + PASSWORD + "\n");
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
    crawler =
        JavaProcess.start(
            "login-crawler",
            Map.of(
                "PIPELINE_CREDENTIAL_SHOP_USERNAME",
                LoginSite.USERNAME,
                "PIPELINE_CREDENTIAL_SHOP_PASSWORD",
                PASSWORD,
                "PIPELINE_CREDENTIAL_WRONG_USERNAME",
                LoginSite.USERNAME,
                "PIPELINE_CREDENTIAL_WRONG_PASSWORD",
                "not-" + PASSWORD.substring(3, 9)),
            CrawlerService.class,
            "--bootstrap",
            broker.bootstrapServers(),
            "--partitions",
            "4",
            "--worker-id",
            "login-crawler",
            "--shutdown-timeout",
            "PT5S",
            "--secrets-file",
            secrets.toString());
    crawler.awaitLine(line -> line.contains("ready: consuming"), Duration.ofSeconds(90));
    crawls = new Crawls(broker.bootstrapServers());
  }

  @AfterAll
  static void stopCrawler() throws Exception {
    Crawls.stop(crawls, crawler);
  }

  private static CrawlJob job(LoginSite site, String credential) {
    Crawls.Job job = crawls.job(site.url("/")).depth(5);
    if (credential != null) {
      job.login(
          new CrawlLogin(site.url("/login"), credential, null, null, null, null, null, null, null));
    }
    return job.build();
  }

  /** Paths of the pages fetched with a 200 ("/login?next=/account" is the login page). */
  private static Set<String> found(CrawlTracker crawl) {
    return crawl.pages().values().stream()
        .filter(page -> page.status() == 200)
        .map(page -> java.net.URI.create(page.url()).getPath())
        .collect(Collectors.toSet());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void aLoggedInCrawlFindsThePrivatePagesAndFollowsNoDestructiveLink(TestBroker broker)
      throws Exception {
    Path db = dir.resolve("pages.db");
    try (LoginSite site = new LoginSite(PASSWORD);
        JavaProcess store =
            JavaProcess.start(
                "store",
                ConsumerService.class,
                "--bootstrap",
                broker.bootstrapServers(),
                "--group",
                broker.unique("store"),
                "--db-url",
                "jdbc:sqlite:" + db,
                "--http-port",
                "0",
                "--partitions",
                "4")) {
      CrawlJob job = job(site, "shop");
      CrawlTracker crawl = crawls.run(job);

      assertThat(found(crawl)).isEqualTo(union(LoginSite.PUBLIC, LoginSite.PRIVATE));
      assertThat(site.logins()).as("logged in once").isEqualTo(1);
      assertThat(site.destructiveRequests()).as("logout and delete links requested").isZero();
      for (String path : LoginSite.DESTRUCTIVE) {
        assertThat(crawl.skipsOf(site.url(path)))
            .as(path)
            .extracting(SkippedUrl::reason)
            .containsOnly(SkippedUrl.Reason.EXCLUDED);
      }

      // Where a password could leak: every topic, the crawler's log, the store.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Crawls.storedPages(db, job.crawlId()) == crawl.pages().size());
      byte[] secret = PASSWORD.getBytes(StandardCharsets.UTF_8);
      List<String> topicsHoldingIt = topicsContaining(broker.bootstrapServers(), secret);
      assertThat(topicsHoldingIt).as("topics holding the password").isEmpty();
      assertThat(crawler.lines()).noneMatch(line -> line.contains(PASSWORD));
      assertThat(store.lines()).noneMatch(line -> line.contains(PASSWORD));
      for (Path file : List.of(db, Path.of(db + "-wal"))) {
        if (Files.exists(file)) {
          assertThat(indexOf(Files.readAllBytes(file), secret))
              .as("password in " + file)
              .isNegative();
        }
      }
      // And the search itself can find it where it is.
      assertThat(indexOf(Files.readAllBytes(dir.resolve("secrets.properties")), secret))
          .isNotNegative();
      store.terminate(Duration.ofSeconds(30));
    }
  }

  @Test
  void aRenderedPageCallsTheSiteWithTheSessionsCookies() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      CrawlJob job =
          crawls
              .job(site.url("/"))
              .depth(5)
              .renderPattern("/account/settings$")
              .login(
                  new CrawlLogin(
                      site.url("/login"), "shop", null, null, null, null, null, null, null))
              .build();
      CrawlTracker crawl = crawls.run(job);
      Set<String> expected = union(LoginSite.PUBLIC, LoginSite.PRIVATE);
      expected.add(LoginSite.SCRIPTED);
      assertThat(found(crawl)).isEqualTo(expected);
      assertThat(crawl.pageOf(site.url("/account/settings")).rendered()).isTrue();
      assertThat(site.logins()).isEqualTo(1);
      assertThat(site.destructiveRequests()).as("the page's own POST to a delete link").isZero();
    }
  }

  @Test
  void aLoginByBrowserStepsGivesItsSessionToTheHttpFetcher() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      // Over HTTP the scripted form cannot be found: the crawl fails and says so.
      CrawlTracker http =
          crawls.run(
              crawls
                  .job(site.url("/"))
                  .login(
                      new CrawlLogin(
                          site.url("/js-login"), "shop", null, null, null, null, null, null, null))
                  .build());
      assertThat(http.failure()).contains("no form with a password field");

      List<CrawlStep> steps =
          List.of(
              Crawls.step("{action: 'fill', selector: '#user', credential: 'username'}"),
              Crawls.step("{action: 'fill', selector: '#pass', credential: 'password'}"),
              Crawls.step("{action: 'click', selector: '#go'}"),
              Crawls.step("{action: 'wait-for', url: '/account$'}"));
      CrawlTracker crawl =
          crawls.run(
              crawls
                  .job(site.url("/"))
                  .depth(5)
                  .login(
                      new CrawlLogin(
                          site.url("/js-login"), "shop", null, null, null, null, null, null, steps))
                  .build());
      // Not rendered: the pages came over HTTP, with the cookies the browser earned.
      assertThat(found(crawl)).isEqualTo(union(LoginSite.PUBLIC, LoginSite.PRIVATE));
      assertThat(crawl.pages().values()).noneMatch(PageResult::rendered);
      assertThat(site.logins()).isEqualTo(1);
      assertThat(site.destructiveRequests()).isZero();
      assertThat(crawler.lines()).noneMatch(line -> line.contains(PASSWORD));
    }
  }

  /** Path and query of the pages fetched with a 200. */
  private static Set<String> fetched(CrawlTracker crawl) {
    return crawl.pages().values().stream()
        .filter(page -> page.status() == 200)
        .map(page -> java.net.URI.create(page.url()))
        .map(uri -> uri.getPath() + (uri.getQuery() == null ? "" : "?" + uri.getQuery()))
        .collect(Collectors.toSet());
  }

  @Test
  void withTheLoginAndRenderAutoTheCrawlFindsExactlyTheExpectedPages() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      CrawlLogin login =
          new CrawlLogin(site.url("/login"), "shop", null, null, null, null, null, null, null);
      Set<String> inHtml = new HashSet<>();
      for (String path : union(LoginSite.PUBLIC, LoginSite.PRIVATE)) {
        inHtml.add(path.equals("/calendar") ? "/calendar?m=0" : path);
      }
      Set<String> all = new HashSet<>(inHtml);
      all.addAll(LoginSite.SCRIPTED_ONLY);

      CrawlTracker rendered =
          crawls.run(
              crawls.job(site.url("/")).depth(5).login(login).render(CrawlJob.Render.AUTO).build());
      assertThat(fetched(rendered)).isEqualTo(all);
      assertThat(rendered.skipsOf(site.url("/calendar?m=5")))
          .extracting(SkippedUrl::reason)
          .containsOnly(SkippedUrl.Reason.BEYOND_DEPTH);

      // Without rendering it misses exactly the pages scripts link.
      CrawlTracker plain = crawls.run(crawls.job(site.url("/")).depth(5).login(login).build());
      assertThat(fetched(plain)).isEqualTo(inHtml);
      assertThat(site.destructiveRequests()).as("requests to logout and delete links").isZero();

      // Without the login, only the public pages (the calendar's months rendered).
      CrawlTracker anonymous =
          crawls.run(crawls.job(site.url("/")).depth(5).render(CrawlJob.Render.AUTO).build());
      Set<String> publicOnly = new HashSet<>(Set.of("/", "/about", "/login"));
      for (int month = 0; month <= 4; month++) {
        publicOnly.add("/calendar?m=" + month);
      }
      assertThat(
              fetched(anonymous).stream()
                  .map(path -> path.startsWith("/login?") ? "/login" : path) // redirected there
                  .collect(Collectors.toSet()))
          .isEqualTo(publicOnly);
    }
  }

  @Test
  void withoutTheLoginOnlyThePublicPagesAreFound() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      CrawlTracker crawl = crawls.run(job(site, null));
      assertThat(found(crawl)).isEqualTo(LoginSite.PUBLIC);
      assertThat(site.logins()).isZero();
    }
  }

  @Test
  void aSessionThatEndsMidCrawlIsRenewedAndNoPageIsLost() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD).sessionsLast(2)) {
      CrawlTracker crawl = crawls.run(job(site, "filed")); // the secrets file's credential
      assertThat(found(crawl)).isEqualTo(union(LoginSite.PUBLIC, LoginSite.PRIVATE));
      assertThat(site.logins()).as("logged in again as sessions ended").isGreaterThanOrEqualTo(3);
      assertThat(crawl.pages().values()).extracting(PageResult::error).containsOnlyNulls();
      assertThat(site.destructiveRequests()).isZero();
    }
  }

  @Test
  void aFailedLoginStopsTheCrawlWithItsReasonAfterOneTry() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      CrawlTracker crawl = crawls.run(job(site, "wrong"));
      assertThat(crawl.state()).isEqualTo(CrawlControl.State.FAILED);
      assertThat(crawl.failure())
          .contains("login with credential wrong at " + site.url("/login"))
          .contains("still asks to log in")
          .contains("Wrong password");
      assertThat(site.failedLogins()).as("login attempts").isEqualTo(1);
      assertThat(crawl.pages()).as("pages fetched").isEmpty();
      assertThat(crawl.skippedByReason()).containsKey(SkippedUrl.Reason.FAILED);
      assertThat(crawler.lines()).noneMatch(line -> line.contains(PASSWORD.substring(3, 9)));
    }
  }

  @Test
  void aCredentialTheCrawlerDoesNotHoldFailsTheCrawlClearly() throws Exception {
    try (LoginSite site = new LoginSite(PASSWORD)) {
      CrawlTracker crawl = crawls.run(job(site, "nobody"));
      assertThat(crawl.state()).isEqualTo(CrawlControl.State.FAILED);
      assertThat(crawl.failure())
          .contains("crawler login-crawler holds no credential nobody")
          .contains("PIPELINE_CREDENTIAL_NOBODY_USERNAME");
      assertThat(site.requested()).allMatch(request -> request.equals("GET /robots.txt"));
    }
  }

  @Test
  void basicAuthByCredentialGoesToTheSeedHostOnlyAndNeverIntoATopic(TestBroker broker)
      throws Exception {
    String expected =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(
                    (LoginSite.USERNAME + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    try (TestSite site = TestSite.start();
        TestSite elsewhere = TestSite.start()) {
      // Both pages answer 401 unless the request carries the credential's header.
      Map.of(
              "/",
              CrawlerIT.html("protected", "/inner", elsewhere.url("/")),
              "/inner",
              CrawlerIT.html("inner"))
          .forEach(
              (path, html) ->
                  site.handle(
                      path,
                      exchange ->
                          TestSite.send(
                              exchange,
                              expected.equals(
                                      exchange.getRequestHeaders().getFirst("Authorization"))
                                  ? 200
                                  : 401,
                              "text/html",
                              html)));
      elsewhere.page("/", CrawlerIT.html("elsewhere"));

      CrawlTracker crawl =
          crawls.run(
              crawls
                  .job(site.url("/"))
                  .scope(CrawlJob.Scope.ANY)
                  .basicAuthCredential("shop")
                  .build());

      CrawlerIT.assertSeedHostOnly(crawl, site, elsewhere, "Authorization");
      byte[] secret = PASSWORD.getBytes(StandardCharsets.UTF_8);
      assertThat(topicsContaining(broker.bootstrapServers(), secret))
          .as("topics holding the password")
          .isEmpty();
      assertThat(crawler.lines()).noneMatch(line -> line.contains(PASSWORD));
    }
  }

  @Test
  void aBasicAuthCredentialTheCrawlerDoesNotHoldFailsTheCrawlClearly() throws Exception {
    try (TestSite site = TestSite.start()) {
      site.page("/", CrawlerIT.html("protected"));
      CrawlTracker crawl =
          crawls.run(crawls.job(site.url("/")).basicAuthCredential("nobody").build());
      assertThat(crawl.state()).isEqualTo(CrawlControl.State.FAILED);
      assertThat(crawl.failure())
          .contains("basic auth with credential nobody failed")
          .contains("crawler login-crawler holds no credential nobody")
          .contains("PIPELINE_CREDENTIAL_NOBODY_USERNAME");
      assertThat(crawl.pages()).as("pages fetched").isEmpty();
    }
  }

  /** Reads every record of every topic on the broker, internal ones too. */
  private static List<String> topicsContaining(String bootstrap, byte[] secret) throws Exception {
    List<String> holding = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      Set<String> topics =
          admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      assertThat(topics).contains("crawl.jobs", "crawl.pages", "crawl.frontier", "crawl.state");
      for (String topic : topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long records = 0;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            records++;
            if ((record.key() != null && indexOf(record.key(), secret) >= 0)
                || (record.value() != null && indexOf(record.value(), secret) >= 0)) {
              holding.add(topic + "@" + record.partition() + ":" + record.offset());
            }
          }
        }
        System.out.println("searched " + topic + ": " + records + " records");
      }
    }
    return holding;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

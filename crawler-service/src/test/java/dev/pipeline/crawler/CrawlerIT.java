package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.crawl.CrawlSubmission;
import dev.pipeline.core.crawl.CrawlTracker;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One real crawler-service process on a real broker, crawling real HTTP servers on loopback
 * addresses. Each test has its own sites and its own crawl; the servers count what they were asked.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrawlerIT {
  private static JavaProcess crawler;
  private static Crawls crawls;
  private static String bootstrap;

  @BeforeAll
  static void startCrawler(TestBroker broker) {
    bootstrap = broker.bootstrapServers();
    crawler =
        crawler(
            bootstrap,
            "crawler-it",
            "--fetch-timeout",
            "PT1S",
            "--max-page-bytes",
            "100000",
            "--resolve",
            "www.example.com=127.0.0.1,blog.example.com=127.0.0.1,other.org=127.0.0.1,"
                + "public.example=127.0.0.2",
            "--trusted-address",
            "127.0.0.1");
    crawls = new Crawls(bootstrap);
  }

  /** Starts a crawler-service process in the test group and waits until it consumes. */
  static JavaProcess crawler(String bootstrap, String worker, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap",
                bootstrap,
                "--partitions",
                "4",
                "--worker-id",
                worker,
                "--shutdown-timeout",
                "PT5S"));
    args.addAll(List.of(options));
    JavaProcess process =
        JavaProcess.start(worker, CrawlerService.class, args.toArray(String[]::new));
    process.awaitLine(line -> line.contains("ready: consuming"), Duration.ofSeconds(90));
    return process;
  }

  @AfterAll
  static void stopCrawler() throws Exception {
    if (crawls != null) {
      crawls.close();
    }
    if (crawler != null) {
      crawler.terminate(Duration.ofSeconds(60)); // drains, or fails the test
    }
  }

  static String html(String title, String... links) {
    StringBuilder body = new StringBuilder("<html><head><title>" + title + "</title></head><body>");
    for (String link : links) {
      body.append("<a href=\"").append(link).append("\">link</a> ");
    }
    return body.append("</body></html>").toString();
  }

  @Test
  void fetchesExactlyTheBreadthFirstSetAtDepthOnceEach() {
    // A random graph of 60 pages; links written in several forms that normalise alike.
    Random random = new Random(42);
    int pages = 60;
    List<List<Integer>> links = new ArrayList<>();
    for (int i = 0; i < pages; i++) {
      List<Integer> out = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        out.add(random.nextInt(pages));
      }
      links.add(out);
    }
    try (TestSite site = TestSite.start()) {
      for (int i = 0; i < pages; i++) {
        List<String> hrefs = new ArrayList<>();
        for (int target : links.get(i)) {
          hrefs.add(
              switch (target % 4) {
                case 0 -> "/p" + target;
                case 1 -> "p" + target + "#section";
                case 2 -> "./p" + target;
                default -> site.url("/p" + target);
              });
        }
        site.page("/p" + i, html("page " + i, hrefs.toArray(String[]::new)));
      }
      // Shortest distances from p0, as the crawl must find them.
      Map<Integer, Integer> distance = new HashMap<>(Map.of(0, 0));
      ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(0));
      while (!queue.isEmpty()) {
        int page = queue.poll();
        for (int target : links.get(page)) {
          if (!distance.containsKey(target)) {
            distance.put(target, distance.get(page) + 1);
            queue.add(target);
          }
        }
      }
      Set<String> expected =
          distance.entrySet().stream()
              .filter(e -> e.getValue() <= 2)
              .map(e -> site.url("/p" + e.getKey()))
              .collect(Collectors.toSet());

      CrawlTracker crawl = crawls.run(crawls.job(site.url("/p0")).depth(2).build());

      assertThat(crawl.pages().keySet()).containsExactlyInAnyOrderElementsOf(expected);
      crawl
          .pages()
          .values()
          .forEach(
              page ->
                  assertThat(page.depth())
                      .as(page.url())
                      .isEqualTo(
                          distance.get(Integer.parseInt(page.url().replaceAll(".*/p", "")))));
      List<String> requested = site.pagesRequested();
      assertThat(requested).doesNotHaveDuplicates().hasSize(expected.size());
      assertThat(crawl.skippedByReason()).containsKey(SkippedUrl.Reason.BEYOND_DEPTH);
    }
  }

  @Test
  void followsSameHostSameDomainAndPatterns() {
    try (TestSite www = TestSite.start();
        TestSite blog = TestSite.start();
        TestSite other = TestSite.start()) {
      String home = www.url("www.example.com", "/");
      www.page(
          "/", html("home", "/a", blog.url("blog.example.com", "/"), other.url("other.org", "/")));
      www.page("/a", html("a"));
      www.page("/b", html("b"));
      blog.page("/", html("blog", www.url("www.example.com", "/b")));
      other.page("/", html("other"));

      CrawlTracker sameHost = crawls.run(crawls.job(home).build());
      assertThat(sameHost.pages().keySet())
          .containsExactlyInAnyOrder(home, www.url("www.example.com", "/a"));
      assertThat(sameHost.skipsOf(blog.url("blog.example.com", "/")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.OUT_OF_SCOPE);

      CrawlTracker sameDomain =
          crawls.run(crawls.job(home).scope(CrawlJob.Scope.SAME_DOMAIN).build());
      assertThat(sameDomain.pages().keySet())
          .containsExactlyInAnyOrder(
              home,
              www.url("www.example.com", "/a"),
              www.url("www.example.com", "/b"),
              blog.url("blog.example.com", "/"));
      assertThat(sameDomain.skipsOf(other.url("other.org", "/")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.OUT_OF_SCOPE);

      CrawlTracker patterns =
          crawls.run(
              crawls
                  .job(home)
                  .scope(CrawlJob.Scope.ANY)
                  .include("example\\.com")
                  .exclude("/a$")
                  .build());
      assertThat(patterns.pages().keySet())
          .containsExactlyInAnyOrder(
              home, www.url("www.example.com", "/b"), blog.url("blog.example.com", "/"));
      assertThat(patterns.skipsOf(www.url("www.example.com", "/a")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.EXCLUDED);
      assertThat(patterns.skipsOf(other.url("other.org", "/")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.EXCLUDED);
    }
  }

  @Test
  void obeysRobotsDisallowAndCrawlDelayUnlessIgnored() {
    try (TestSite site = TestSite.start()) {
      site.handle(
          "/robots.txt",
          exchange ->
              TestSite.send(
                  exchange,
                  200,
                  "text/plain",
                  "User-agent: *\nDisallow: /private\nCrawl-delay: 1\n"));
      site.page("/", html("home", "/p1", "/p2", "/private/x"));
      site.page("/p1", html("p1"));
      site.page("/p2", html("p2"));
      site.page("/private/x", html("secret"));

      CrawlTracker crawl = crawls.run(crawls.job(site.url("/")).build());

      assertThat(crawl.pages().keySet())
          .containsExactlyInAnyOrder(site.url("/"), site.url("/p1"), site.url("/p2"));
      assertThat(crawl.skipsOf(site.url("/private/x")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.ROBOTS);
      List<TestSite.Request> requests = site.requests();
      assertThat(requests.stream().filter(r -> r.path().equals("/robots.txt"))).hasSize(1);
      assertThat(site.pagesRequested()).doesNotContain("/private/x");
      assertGaps(requests, Duration.ofSeconds(1));

      CrawlTracker ignoring = crawls.run(crawls.job(site.url("/")).ignoreRobots().build());
      assertThat(ignoring.pages()).containsKey(site.url("/private/x"));
    }
  }

  @Test
  void keepsTheDelayAndTheConcurrencyPerHost() {
    try (TestSite site = TestSite.start()) {
      List<String> links = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        links.add("/p" + i);
        site.page("/p" + i, html("p" + i));
      }
      site.page("/", html("home", links.toArray(String[]::new)));
      crawls.run(crawls.job(site.url("/")).delay(200).build());
      assertThat(site.maxInFlight()).isEqualTo(1);
      assertGaps(site.requests(), Duration.ofMillis(200));
    }
    try (TestSite slow = TestSite.start().latency(300)) {
      List<String> links = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        links.add("/p" + i);
        slow.page("/p" + i, html("p" + i));
      }
      slow.page("/", html("home", links.toArray(String[]::new)));
      crawls.run(crawls.job(slow.url("/")).perHost(3).build());
      assertThat(slow.maxInFlight()).isBetween(2, 3);
    }
  }

  /** No two requests to the host arrive closer than {@code delay}, as the server measured. */
  private static void assertGaps(List<TestSite.Request> requests, Duration delay) {
    List<TestSite.Request> sorted = new ArrayList<>(requests);
    sorted.sort(java.util.Comparator.comparingLong(TestSite.Request::startNanos));
    for (int i = 1; i < sorted.size(); i++) {
      long gapMs = (sorted.get(i).startNanos() - sorted.get(i - 1).startNanos()) / 1_000_000;
      // The crawler counts in milliseconds of the wall clock, the server in nanoseconds.
      assertThat(gapMs)
          .as("gap before %s", sorted.get(i).path())
          .isGreaterThanOrEqualTo(delay.toMillis() - 2);
    }
  }

  @Test
  void sendsHeaderCookieAndBasicAuthToTheSeedHostOnly() {
    try (TestSite site = TestSite.start();
        TestSite elsewhere = TestSite.start()) {
      site.handle(
          "/",
          exchange -> {
            boolean ok =
                "Basic dXNlcjpwYXNz".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    && "t1".equals(exchange.getRequestHeaders().getFirst("X-Token"))
                    && String.valueOf(exchange.getRequestHeaders().getFirst("Cookie"))
                        .contains("session=s1");
            TestSite.send(
                exchange,
                ok ? 200 : 401,
                "text/html",
                html("protected", "/inner", elsewhere.url("/")));
          });
      site.page("/inner", html("inner"));
      elsewhere.page("/", html("elsewhere"));

      CrawlTracker crawl =
          crawls.run(
              crawls
                  .job(site.url("/"))
                  .scope(CrawlJob.Scope.ANY)
                  .basicAuth("user:pass")
                  .header("X-Token: t1")
                  .cookie("session=s1")
                  .build());

      assertSeedHostOnly(crawl, site, elsewhere, "Authorization", "X-token", "Cookie");
    }
  }

  /**
   * Asserts that the seed host's protected pages ("/" and "/inner") and the other host's "/" were
   * fetched, and that no request to the other host carried any of {@code headers}.
   */
  static void assertSeedHostOnly(
      CrawlTracker crawl, TestSite site, TestSite elsewhere, String... headers) {
    assertThat(crawl.pages().get(site.url("/")).status()).isEqualTo(200);
    assertThat(crawl.pages().get(site.url("/inner")).status()).isEqualTo(200);
    assertThat(crawl.pages().get(elsewhere.url("/")).status()).isEqualTo(200);
    assertThat(elsewhere.requests())
        .allSatisfy(request -> assertThat(request.headers().keySet()).doesNotContain(headers));
  }

  @Test
  void handlesRedirectsErrorsRetriesTimeoutsSizeCapFragmentsAndBaseHref() {
    AtomicInteger flaky = new AtomicInteger();
    try (TestSite site = TestSite.start()) {
      site.page(
          "/",
          html(
              "home",
              "/redirect",
              "/loop1",
              "/missing",
              "/flaky",
              "/broken",
              "/slow",
              "/huge",
              "/frag#one",
              "/frag#two",
              "rel/child",
              "/based/index",
              "/limited",
              "/target"));
      site.handle("/redirect", exchange -> TestSite.redirect(exchange, 301, "/target"));
      site.page("/target", html("target"));
      site.handle("/loop1", exchange -> TestSite.redirect(exchange, 302, "/loop2"));
      site.handle("/loop2", exchange -> TestSite.redirect(exchange, 302, "/loop1"));
      site.handle(
          "/flaky",
          exchange -> {
            if (flaky.incrementAndGet() == 1) {
              TestSite.send(exchange, 500, "text/plain", "try again");
            } else {
              TestSite.send(exchange, 200, "text/html", html("flaky"));
            }
          });
      site.handle("/broken", exchange -> TestSite.send(exchange, 500, "text/plain", "down"));
      AtomicInteger limited = new AtomicInteger();
      site.handle(
          "/limited",
          exchange -> {
            if (limited.incrementAndGet() == 1) {
              exchange.getResponseHeaders().set("Retry-After", "2");
              TestSite.send(exchange, 429, "text/plain", "slow down");
            } else {
              TestSite.send(exchange, 200, "text/html", html("limited"));
            }
          });
      site.handle(
          "/slow",
          exchange -> {
            Thread.sleep(3000);
            TestSite.send(exchange, 200, "text/html", html("slow"));
          });
      site.page("/huge", "<html>" + "x".repeat(200_000) + "</html>");
      site.page("/frag", html("frag"));
      site.page("/rel/child", html("child"));
      site.page(
          "/based/index",
          "<html><head><base href=\"/elsewhere/\"></head><a href=\"x\">x</a></html>");
      site.page("/elsewhere/x", html("x"));

      CrawlTracker crawl = crawls.run(crawls.job(site.url("/")).build());
      Map<String, PageResult> pages = crawl.pages();

      PageResult redirect = pages.get(site.url("/redirect"));
      assertThat(redirect.status()).isEqualTo(301);
      assertThat(redirect.finalUrl()).isEqualTo(site.url("/target"));
      assertThat(redirect.redirects()).containsExactly(site.url("/target"));
      assertThat(pages.get(site.url("/target")).status()).isEqualTo(200);
      // A loop ends where it meets a URL already seen: each page once, each pointing at the other.
      assertThat(pages.get(site.url("/loop1")).status()).isEqualTo(302);
      assertThat(pages.get(site.url("/loop1")).finalUrl()).isEqualTo(site.url("/loop2"));
      assertThat(pages.get(site.url("/loop2")).finalUrl()).isEqualTo(site.url("/loop1"));
      assertThat(pages.get(site.url("/missing")).status()).isEqualTo(404);
      assertThat(pages.get(site.url("/missing")).parent()).isEqualTo(site.url("/"));
      assertThat(pages.get(site.url("/flaky")).status()).isEqualTo(200);
      assertThat(pages.get(site.url("/broken")).status()).isEqualTo(500);
      assertThat(pages.get(site.url("/slow")).status()).isZero();
      assertThat(pages.get(site.url("/slow")).error()).containsIgnoringCase("timeout");
      assertThat(pages.get(site.url("/huge")).error()).contains("larger than 100000 bytes");
      assertThat(pages)
          .containsKeys(site.url("/frag"), site.url("/rel/child"), site.url("/elsewhere/x"));
      assertThat(crawl.broken())
          .extracting(PageResult::url)
          .containsExactlyInAnyOrder(site.url("/missing"), site.url("/broken"), site.url("/slow"));

      Map<String, Long> requests =
          site.pagesRequested().stream()
              .collect(Collectors.groupingBy(path -> path, Collectors.counting()));
      assertThat(requests)
          .containsEntry("/target", 1L)
          .containsEntry("/redirect", 1L)
          .containsEntry("/loop1", 1L)
          .containsEntry("/loop2", 1L)
          .containsEntry("/frag", 1L)
          .containsEntry("/flaky", 2L)
          .containsEntry("/broken", 3L)
          .containsEntry("/slow", 3L)
          .containsEntry("/limited", 2L);
      assertThat(pages.get(site.url("/limited")).status()).isEqualTo(200);
      // Retry-After: 2 keeps every request to the host away for 2 s, not only the retry.
      List<TestSite.Request> byStart = new ArrayList<>(site.requests());
      byStart.sort(java.util.Comparator.comparingLong(TestSite.Request::startNanos));
      TestSite.Request tooMany =
          byStart.stream().filter(r -> r.path().equals("/limited")).findFirst().orElseThrow();
      TestSite.Request next = byStart.get(byStart.indexOf(tooMany) + 1);
      assertThat((next.startNanos() - tooMany.startNanos()) / 1_000_000)
          .as("ms until %s after the 429", next.path())
          .isGreaterThanOrEqualTo(1998);
    }
  }

  @Test
  void refusesPrivateAddressesByDefaultAtSubmissionConnectAndRedirect() throws Exception {
    try (TestSite trusted = TestSite.start();
        TestSite internal = TestSite.on("127.0.0.2")) {
      internal.page("/", html("internal"));
      trusted.handle("/go", exchange -> TestSite.redirect(exchange, 302, internal.url("/")));
      trusted.page("/", html("trusted", "/go"));

      CrawlJob literal = crawls.job(internal.url("/")).publicOnly().build();
      assertThat(CrawlSubmission.refusedSeed(literal))
          .contains("127.0.0.2 is a loopback address")
          .contains("--allow-private-addresses");

      // A public-looking name that resolves to a loopback address, refused at connect time.
      String named = internal.url("public.example", "/");
      CrawlTracker byName = crawls.run(crawls.job(named).publicOnly().ignoreRobots().build());
      assertThat(byName.pages()).isEmpty();
      assertThat(byName.skipsOf(named))
          .singleElement()
          .satisfies(
              skip -> {
                assertThat(skip.reason()).isEqualTo(SkippedUrl.Reason.REFUSED_ADDRESS);
                assertThat(skip.detail()).contains("127.0.0.2 is a loopback address");
              });

      // A redirect from an allowed site into a private address.
      CrawlTracker redirected =
          crawls.run(crawls.job(trusted.url("/")).scope(CrawlJob.Scope.ANY).publicOnly().build());
      assertThat(redirected.pages().get(trusted.url("/go")).status()).isEqualTo(302);
      assertThat(redirected.skipsOf(internal.url("/")))
          .extracting(SkippedUrl::reason)
          .containsExactly(SkippedUrl.Reason.REFUSED_ADDRESS);
      assertThat(internal.requests()).isEmpty();
    }
  }

  @Test
  void stopsAtMaxPagesAndWhenCancelled() {
    try (TestSite site = TestSite.start()) {
      for (int i = 0; i < 30; i++) {
        site.page("/p" + i, html("p" + i, "/p" + (i + 1), "/q" + i));
        site.page("/q" + i, html("q" + i));
      }
      CrawlTracker limited = crawls.run(crawls.job(site.url("/p0")).depth(100).maxPages(5).build());
      assertThat(limited.fetched()).isEqualTo(5);
      assertThat(limited.skippedByReason()).containsKey(SkippedUrl.Reason.MAX_PAGES);

      CrawlJob job = crawls.job(site.url("/p0")).depth(100).delay(300).build();
      CrawlTracker cancelled = crawls.start(job);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                cancelled.poll(Duration.ofMillis(100));
                return cancelled.fetched() >= 3;
              });
      crawls
          .publisher()
          .publish(
              Topics.CRAWL_CONTROL,
              job.crawlId(),
              new CrawlControl(1, job.crawlId(), CrawlControl.State.CANCELLED, Instant.now()));
      assertThat(cancelled.awaitFinished(Duration.ofSeconds(60))).isTrue();
      assertThat(cancelled.fetched()).isLessThan(60);
      assertThat(cancelled.skippedByReason()).containsKey(SkippedUrl.Reason.CANCELLED);
    }
  }

  @Test
  void holdsAPausedCrawlUntilItIsResumed() throws Exception {
    try (TestSite site = TestSite.start()) {
      for (int i = 0; i < 12; i++) {
        site.page("/p" + i, i < 11 ? html("p" + i, "/p" + (i + 1)) : html("the end"));
      }
      CrawlJob job = crawls.job(site.url("/p0")).depth(100).delay(200).ignoreRobots().build();
      CrawlTracker crawl = crawls.start(job);
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> site.pagesRequested().size() >= 2);
      control(job, CrawlControl.State.PAUSED);
      Thread.sleep(1000); // a request already under way may finish
      int whilePaused = site.pagesRequested().size();
      Thread.sleep(2000);
      assertThat(site.pagesRequested()).as("no request while paused").hasSize(whilePaused);
      assertThat(whilePaused).isLessThan(12);
      control(job, CrawlControl.State.RUNNING);
      assertThat(crawl.awaitFinished(Duration.ofSeconds(60))).isTrue();
      assertThat(crawl.fetched()).isEqualTo(12);
    }
  }

  private static void control(CrawlJob job, CrawlControl.State state) throws Exception {
    crawls
        .publisher()
        .publish(
            Topics.CRAWL_CONTROL,
            job.crawlId(),
            new CrawlControl(1, job.crawlId(), state, Instant.now()))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void deadLettersBadFrontierRecordsAndKeepsCrawling() throws Exception {
    Topic frontier = new Topic(bootstrap, Topics.CRAWL_FRONTIER);
    frontier.send(
        List.of("bad-json", "unknown-crawl", "bad-url"),
        List.of(
            "{not json",
            "{\"v\":1,\"crawlId\":\"no-such-crawl\",\"url\":\"http://example.com/\",\"depth\":0}",
            "{\"v\":1,\"crawlId\":\"c\",\"url\":\"ftp://example.com/\",\"depth\":0}"));
    Topic deadLetters = new Topic(bootstrap, Topics.deadLetter(Topics.CRAWL_FRONTIER));
    deadLetters.awaitKeys(
        keys -> new HashSet<>(keys).containsAll(Set.of("bad-json", "unknown-crawl", "bad-url")),
        Duration.ofSeconds(90));
    Map<String, String> reasons = deadLetters.deadLetterReasons();
    assertThat(reasons.get("unknown-crawl")).contains("crawl no-such-crawl is not known");
    assertThat(reasons.get("bad-url")).contains("must be an http or https URL");
    assertThat(reasons.get("bad-json")).isNotBlank();
    try (TestSite site = TestSite.start()) {
      site.page("/", html("still crawling"));
      assertThat(crawls.run(crawls.job(site.url("/")).build()).fetched()).isEqualTo(1);
    }
    assertThat(crawler.isAlive()).isTrue();
  }
}

package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.crawl.CrawlTracker;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlStep;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rendered fetches in real headless Chromium (Debian's), through a real crawler process, against a
 * site whose links are partly written by scripts.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RenderCrawlIT {
  /** Pages any crawl finds: their links are in the HTML. */
  private static final Set<String> IN_HTML =
      Set.of("/", "/plain", "/plain2", "/js", "/app", "/ssrf");

  /** Pages only a rendered crawl finds: scripts write the links to them. */
  private static final Set<String> SCRIPTED = Set.of("/js-only", "/app-only", "/after-ssrf");

  /** Pages that need rendering by the default signal (a <noscript>, or a body with no text). */
  private static final Set<String> NEED_RENDERING = Set.of("/js", "/app", "/ssrf");

  private static JavaProcess crawler;
  private static Crawls crawls;
  private static Path screenshots;

  @BeforeAll
  static void startCrawler(TestBroker broker) throws Exception {
    screenshots = Files.createTempDirectory("render-it-screenshots");
    crawler =
        CrawlerIT.crawler(
            broker.bootstrapServers(),
            "render-crawler",
            "--render-pool",
            "2",
            "--fetch-timeout",
            "PT5S",
            "--trusted-address",
            "127.0.0.1",
            "--screenshot-dir",
            screenshots.toString());
    crawls = new Crawls(broker.bootstrapServers());
  }

  @AfterAll
  static void stopCrawler() throws Exception {
    Crawls.stop(crawls, crawler);
  }

  private static String page(String title, String body) {
    return "<html><head><title>" + title + "</title></head><body>" + body + "</body></html>";
  }

  /** A script that adds links once the page has loaded, after {@code delayMs}. */
  private static String scriptedLinks(long delayMs, String... links) {
    StringBuilder script = new StringBuilder("<script>setTimeout(() => {");
    for (String link : links) {
      script
          .append("{ const a = document.createElement('a'); a.href = '")
          .append(link)
          .append("'; a.textContent = 'more'; document.body.appendChild(a); }");
    }
    return script.append("}, ").append(delayMs).append(");</script>").toString();
  }

  /** The site; {@code elsewhere} is a server on a private address no crawl may reach. */
  private static TestSite site(TestSite elsewhere) {
    TestSite site = TestSite.start();
    site.handle(
        "/robots.txt",
        exchange ->
            TestSite.send(exchange, 200, "text/plain", "User-agent: *\nDisallow: /app-robots\n"));
    site.page(
        "/",
        page(
            "home",
            "<a href=/plain>plain</a> <a href=/js>js</a> <a href=/app>app</a> <a href=/ssrf>s</a>"));
    site.page("/plain", page("plain", "A plain page. <a href=/plain2>next</a>"));
    site.page("/plain2", page("plain2", "The end of the plain pages."));
    site.page(
        "/js",
        page(
            "js",
            "Some text, and links for those with JavaScript.<noscript>Turn JavaScript on</noscript>"
                + scriptedLinks(30, "/js-only")));
    // A single-page app: nothing but a script that asks an API for its links.
    site.page(
        "/app",
        page(
            "app",
            "<div id=root></div><script>fetch('/api/links').then(r => r.json()).then(links =>"
                + " links.forEach(href => { const a = document.createElement('a'); a.href = href;"
                + " a.textContent = href; document.getElementById('root').appendChild(a); }));"
                + "</script>"));
    site.handle(
        "/api/links",
        exchange ->
            TestSite.send(
                exchange,
                200,
                "application/json",
                "[\"/app-only\", \"/app-robots\", \"/app-excluded\"]"));
    // A page whose script reaches for a private address: the guard must stop it.
    site.page(
        "/ssrf",
        page(
            "ssrf",
            "Text.<noscript>needs JavaScript</noscript><script>fetch('"
                + elsewhere.url("/secret")
                + "').catch(() => {});</script>"
                + scriptedLinks(10, "/after-ssrf")));
    for (String path :
        List.of("/js-only", "/app-only", "/after-ssrf", "/app-robots", "/app-excluded")) {
      site.page(path, page(path, "Found by rendering."));
    }
    return site;
  }

  private static Set<String> paths(CrawlTracker crawl, boolean renderedOnly) {
    return crawl.pages().values().stream()
        .filter(page -> page.status() == 200)
        .filter(page -> !renderedOnly || page.rendered())
        .map(page -> URI.create(page.url()).getPath())
        .collect(Collectors.toSet());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }

  private CrawlJob job(TestSite site, CrawlJob.Render render) {
    return crawls
        .job(site.url("/"))
        .depth(3)
        .exclude("excluded")
        .publicOnly()
        .render(render)
        .build();
  }

  @Test
  void withoutRenderingTheScriptedPagesAreMissedAndNothingIsRendered() throws Exception {
    try (TestSite elsewhere = TestSite.on("127.0.0.2");
        TestSite site = site(elsewhere)) {
      CrawlTracker crawl = crawls.run(job(site, CrawlJob.Render.NEVER));
      assertThat(paths(crawl, false)).isEqualTo(IN_HTML);
      assertThat(paths(crawl, true)).isEmpty();
    }
  }

  @Test
  void autoRendersExactlyThePagesThatNeedItAndFindsTheirLinks() throws Exception {
    try (TestSite elsewhere = TestSite.on("127.0.0.2");
        TestSite site = site(elsewhere)) {
      CrawlTracker crawl = crawls.run(job(site, CrawlJob.Render.AUTO));
      assertThat(paths(crawl, false)).isEqualTo(union(IN_HTML, SCRIPTED));
      assertThat(paths(crawl, true)).isEqualTo(NEED_RENDERING);
      assertThat(crawl.pages().values())
          .filteredOn(PageResult::rendered)
          .allSatisfy(page -> assertThat(page.renderMs()).isPositive())
          .extracting(PageResult::error)
          .containsOnlyNulls();
      // Links a script wrote obey robots.txt and the crawl's patterns like any other.
      assertThat(crawl.skipsOf(site.url("/app-robots")))
          .extracting(SkippedUrl::reason)
          .containsOnly(SkippedUrl.Reason.ROBOTS);
      assertThat(crawl.skipsOf(site.url("/app-excluded")))
          .extracting(SkippedUrl::reason)
          .containsOnly(SkippedUrl.Reason.EXCLUDED);
      assertThat(site.pagesRequested()).doesNotContain("/app-robots", "/app-excluded");
      // The guard stopped the page's own request to a private address.
      assertThat(elsewhere.pagesRequested()).isEmpty();
      // Each page's document was fetched once: the browser was handed the crawler's response.
      assertThat(site.pagesRequested().stream().filter(path -> !path.startsWith("/api")))
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void alwaysRendersEveryHtmlPage() throws Exception {
    try (TestSite elsewhere = TestSite.on("127.0.0.2");
        TestSite site = site(elsewhere)) {
      CrawlTracker crawl = crawls.run(job(site, CrawlJob.Render.ALWAYS));
      Set<String> all = union(IN_HTML, SCRIPTED);
      assertThat(paths(crawl, false)).isEqualTo(all);
      assertThat(paths(crawl, true)).isEqualTo(all);
      assertThat(elsewhere.pagesRequested()).isEmpty();
    }
  }

  @Test
  void aBrowserKilledMidRenderIsReplacedAndThePageRenderedAgain() throws Exception {
    try (TestSite site = TestSite.start()) {
      site.page(
          "/",
          page(
              "slow",
              "<div id=root></div><script>fetch('/api/slow').then(r => r.text()).then(href => {"
                  + " const a = document.createElement('a'); a.href = href; a.textContent = href;"
                  + " document.getElementById('root').appendChild(a); });</script>"));
      java.util.concurrent.atomic.AtomicInteger slowCalls =
          new java.util.concurrent.atomic.AtomicInteger();
      site.handle(
          "/api/slow",
          exchange -> {
            if (slowCalls.incrementAndGet() == 1) {
              Thread.sleep(3000); // the browser is killed meanwhile
            }
            TestSite.send(exchange, 200, "text/plain", "/after-crash");
          });
      site.page("/after-crash", page("after", "Rendered after the browser came back."));
      CrawlTracker crawl =
          crawls.start(
              crawls.job(site.url("/")).depth(1).publicOnly().render(CrawlJob.Render.AUTO).build());
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> slowCalls.get() >= 1);
      List<ProcessHandle> browsers = browsers();
      assertThat(browsers).as("Chromium processes of the crawler").isNotEmpty();
      browsers.forEach(ProcessHandle::destroyForcibly); // SIGKILL
      assertThat(crawl.awaitFinished(Duration.ofSeconds(120))).isTrue();
      assertThat(paths(crawl, false)).isEqualTo(Set.of("/", "/after-crash"));
      assertThat(crawl.pageOf(site.url("/")).rendered()).isTrue();
      assertThat(slowCalls.get()).as("the page was rendered again").isGreaterThanOrEqualTo(2);
      assertThat(crawler.isAlive()).isTrue();
    }
  }

  private static CrawlStep step(String action) {
    return Crawls.step("{action: '" + action + "'}");
  }

  @Test
  void stepsReadStorageAndIndexedDbFillFormsAndTakeScreenshots() throws Exception {
    try (TestSite site = TestSite.start()) {
      site.page(
          "/",
          page("home", "<a href=/storage>storage</a> <a href=/idb>idb</a> <a href=/search>s</a>"));
      // Shows its content only to a browser whose LocalStorage holds the token.
      site.page(
          "/storage",
          page(
              "storage",
              "<div id=content>locked</div><script>if (localStorage.getItem('token') === 'open')"
                  + " { const a = document.createElement('a'); a.href = '/storage-secret';"
                  + " a.textContent = 'secret'; document.getElementById('content')"
                  + ".replaceChildren(a); }</script>"));
      // Keeps its data in IndexedDB; says when it is written.
      site.page(
          "/idb",
          page(
              "idb",
              "Items.<script>const open = indexedDB.open('shop', 1);"
                  + " open.onupgradeneeded = () => open.result.createObjectStore('items', {keyPath: 'id'});"
                  + " open.onsuccess = () => { const tx = open.result.transaction('items', 'readwrite');"
                  + " tx.objectStore('items').put({id: 1, name: 'lamp'});"
                  + " tx.objectStore('items').put({id: 2, name: 'desk'});"
                  + " tx.oncomplete = () => document.body.dataset.ready = 'yes'; };</script>"));
      // A search form whose results a script fetches.
      site.page(
          "/search",
          page(
              "search",
              "<input id=q><button id=go>Search</button><div id=results></div><script>"
                  + "document.getElementById('go').onclick = () => fetch('/api/search?q=' +"
                  + " document.getElementById('q').value).then(r => r.text()).then(href => {"
                  + " const a = document.createElement('a'); a.href = href; a.textContent = href;"
                  + " document.getElementById('results').appendChild(a); });</script>"));
      site.handle(
          "/api/search?q=lamp",
          exchange -> TestSite.send(exchange, 200, "text/plain", "/result-lamp"));
      for (String path : List.of("/storage-secret", "/result-lamp")) {
        site.page(path, page(path, "Found by steps."));
      }
      CrawlJob job =
          crawls
              .job(site.url("/"))
              .depth(2)
              .publicOnly()
              .sequence(
                  "/storage$",
                  Crawls.step(
                      "{action: 'set-storage', storage: 'local', key: 'token', value: 'open'}"),
                  Crawls.step("{action: 'goto', url: '/storage'}"),
                  Crawls.step(
                      "{action: 'read-storage', storage: 'local', key: 'token', as: 'token'}"),
                  Crawls.step("{action: 'extract', selector: '#content a', as: 'links'}"))
              .sequence(
                  "/idb$",
                  Crawls.step("{action: 'wait-for', selector: 'body[data-ready=yes]'}"),
                  Crawls.step(
                      "{action: 'evaluate', as: 'items', script: \"() => new Promise((resolve, reject) =>"
                          + " { const open = indexedDB.open('shop'); open.onsuccess = () => { const all ="
                          + " open.result.transaction('items').objectStore('items').getAll();"
                          + " all.onsuccess = () => resolve(all.result); };"
                          + " open.onerror = () => reject(open.error); })\"}"))
              .sequence(
                  "/search$",
                  Crawls.step("{action: 'fill', selector: '#q', value: 'lamp'}"),
                  Crawls.step("{action: 'click', selector: '#go'}"),
                  Crawls.step("{action: 'wait-for', selector: '#results a'}"),
                  Crawls.step("{action: 'screenshot', as: 'shot'}"))
              .build();
      CrawlTracker crawl = crawls.run(job);
      assertThat(paths(crawl, false))
          .isEqualTo(Set.of("/", "/storage", "/idb", "/search", "/storage-secret", "/result-lamp"));
      assertThat(paths(crawl, true)).isEqualTo(Set.of("/storage", "/idb", "/search"));
      assertThat(crawl.pages().values()).extracting(PageResult::error).containsOnlyNulls();

      assertThat(crawl.pageOf(site.url("/storage")).extracted())
          .containsEntry("token", "open")
          .containsEntry("links", List.of("secret"));
      assertThat(crawl.pageOf(site.url("/idb")).extracted().get("items"))
          .isEqualTo(List.of(Map.of("id", 1, "name", "lamp"), Map.of("id", 2, "name", "desk")));
      Path shot = Path.of((String) crawl.pageOf(site.url("/search")).extracted().get("shot"));
      assertThat(shot).startsWith(screenshots.resolve(job.crawlId()));
      byte[] png = Files.readAllBytes(shot);
      assertThat(Arrays.copyOf(png, 4)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }
  }

  @Test
  void aFailingStepSaysWhichStepOnWhichPageAndWhyAndTheCrawlGoesOn() throws Exception {
    try (TestSite elsewhere = TestSite.on("127.0.0.2");
        TestSite site = site(elsewhere)) {
      CrawlStep missing = Crawls.step("{action: 'click', selector: '#missing', timeoutMs: 300}");
      CrawlTracker crawl =
          crawls.run(
              crawls
                  .job(site.url("/"))
                  .depth(3)
                  .exclude("excluded")
                  .publicOnly()
                  .sequence("/plain$", missing)
                  .build());
      assertThat(crawl.pageOf(site.url("/plain")).error())
          .startsWith("step 1 (click #missing) on " + site.url("/plain") + " failed: ")
          .contains("300ms");
      assertThat(paths(crawl, false)).isEqualTo(IN_HTML); // plain2 still found, from the DOM
    }
  }

  @Test
  void aCalendarTrapEndsAtTheCrawlsDepth() throws Exception {
    try (TestSite site = TestSite.start()) {
      site.page("/", page("home", "<a href='/calendar?m=0'>calendar</a>"));
      for (int month = 0; month < 20; month++) {
        site.page(
            "/calendar?m=" + month,
            page(
                "month " + month,
                "<noscript>JavaScript</noscript>"
                    + scriptedLinks(0, "/calendar?m=" + (month + 1))));
      }
      CrawlTracker crawl =
          crawls.run(
              crawls.job(site.url("/")).depth(4).publicOnly().render(CrawlJob.Render.AUTO).build());
      assertThat(crawl.pages().keySet())
          .containsExactlyInAnyOrder(
              site.url("/"),
              site.url("/calendar?m=0"),
              site.url("/calendar?m=1"),
              site.url("/calendar?m=2"),
              site.url("/calendar?m=3"));
      assertThat(crawl.skipsOf(site.url("/calendar?m=4")))
          .extracting(SkippedUrl::reason)
          .containsOnly(SkippedUrl.Reason.BEYOND_DEPTH);
    }
  }

  /** The crawler's browser processes (Chromium's main process, not its helpers). */
  private static List<ProcessHandle> browsers() {
    return ProcessHandle.of(crawler.pid())
        .orElseThrow()
        .descendants()
        .filter(
            process -> {
              String command = process.info().command().orElse("");
              String args = String.join(" ", process.info().arguments().orElse(new String[0]));
              return command.contains("chrom") && !args.contains("--type=");
            })
        .toList();
  }
}

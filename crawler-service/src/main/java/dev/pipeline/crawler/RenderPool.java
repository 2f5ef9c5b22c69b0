package dev.pipeline.crawler;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.WaitUntilState;
import dev.pipeline.core.message.CrawlStep;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headless Chromium for rendered fetches: a pool of browsers, each driven through Playwright by a
 * thread of its own (Playwright objects belong to the thread that made them). A crawl gets its own
 * browser context in each browser, so cookies and storage never cross crawls. The page's document
 * is the HTTP response the crawler already fetched (no second request for it); every request the
 * page makes itself passes the same address guard as the crawler's own. A browser that crashes or
 * is killed is replaced and its page rendered again.
 */
final class RenderPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RenderPool.class);
  // Pictures, video and fonts change no link: not loading them keeps rendering cheaper.
  private static final Set<String> SKIPPED_RESOURCES = Set.of("image", "media", "font");
  private static final int ATTEMPTS = 2;
  private static final long QUIET_MS = 150;
  private static final int PAGES_PER_BROWSER = 8;
  private static final int HUNG_AFTER_TIMEOUTS = 3;
  private static final double BUSY_POLL_MS = 15;
  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  /**
   * What to render: a page already fetched over HTTP, as the crawl's browser context sees it; or,
   * with no {@code body}, a page the browser fetches itself (a login done by steps).
   */
  record Request(
      String crawlId,
      String url,
      int status,
      @Nullable String contentType,
      byte @Nullable [] body,
      String userAgent,
      boolean allowPrivateAddresses,
      List<okhttp3.Cookie> cookies,
      boolean readOnly,
      List<CrawlStep> steps,
      Credentials.@Nullable Credential credential) {

    /** A page of the crawl as fetched over HTTP, with the session's cookies, if any. */
    static Request page(
        Crawl crawl,
        String url,
        PageFetcher.Fetched response,
        List<okhttp3.Cookie> cookies,
        boolean loggedIn,
        Credentials.@Nullable Credential credential) {
      return new Request(
          crawl.id(),
          url,
          response.status(),
          response.contentType(),
          response.body(),
          crawl.job().userAgent(),
          crawl.job().allowPrivateAddresses(),
          cookies,
          loggedIn, // a logged-in page's scripts may only read
          crawl.stepsFor(url),
          credential);
    }

    /** The login page, opened by the browser itself, its form posted by the steps. */
    static Request login(
        Crawl crawl, String url, List<CrawlStep> steps, Credentials.Credential credential) {
      return new Request(
          crawl.id(),
          url,
          0,
          null,
          null,
          crawl.job().userAgent(),
          crawl.job().allowPrivateAddresses(),
          List.of(),
          false,
          steps,
          credential);
    }
  }

  /**
   * The rendered DOM (after the steps), the requests of the page the guard refused, what the steps
   * read, and the first step that failed (which, where, why), if one did.
   */
  record Rendered(
      String html,
      String finalUrl,
      long renderMs,
      List<String> blocked,
      Map<String, Object> extracted,
      @Nullable String stepError,
      List<okhttp3.Cookie> cookies) {}

  /** Rendering failed even in a fresh browser. */
  static final class RenderException extends Exception {
    private static final long serialVersionUID = 1L;

    RenderException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private record Task(Request request, CompletableFuture<Rendered> result) {}

  private final Path chromium;
  private final Path screenshots;
  private final Duration timeout;
  private final PageFetcher guard;
  private final List<String> flags;
  private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
  private final java.util.concurrent.Semaphore free;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  RenderPool(
      int size,
      Path chromium,
      Path screenshots,
      Duration timeout,
      PageFetcher guard,
      Map<String, String> resolve) {
    this.chromium = chromium;
    this.screenshots = screenshots;
    this.timeout = timeout;
    this.guard = guard;
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--no-sandbox", // a crawler often runs as root in a container
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking", // no calls home: this network may be closed
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage", // containers give /dev/shm 64 MiB: use /tmp instead
                "--mute-audio"));
    if (!resolve.isEmpty()) {
      // --resolve applies to the browser too: the guard checks the address the browser will use.
      List<String> rules = new ArrayList<>();
      resolve.forEach((host, ip) -> rules.add("MAP " + host + " " + ip));
      flags.add("--host-resolver-rules=" + String.join(", ", rules));
    }
    this.flags = List.copyOf(flags);
    this.free = new java.util.concurrent.Semaphore(size);
    for (int i = 0; i < size; i++) {
      threads.add(Thread.ofPlatform().daemon().name("renderer-" + i).start(new Renderer()));
    }
  }

  /** Whether Chromium is where this pool expects it, so a crawl can say so instead of failing. */
  boolean available() {
    return Files.isExecutable(chromium);
  }

  int size() {
    return threads.size();
  }

  /** Renders the page; waits for a free browser first. */
  Rendered render(Request request) throws RenderException, InterruptedException {
    if (!available()) {
      throw new RenderException(
          "no Chromium at "
              + chromium
              + " (install Debian's chromium-headless-shell or chromium, or set --chromium)",
          null);
    }
    // Waiting for a free browser is not rendering: the time limit starts once one is free.
    free.acquire();
    try {
      return renderOnFreeBrowser(request);
    } finally {
      free.release();
    }
  }

  private Rendered renderOnFreeBrowser(Request request)
      throws RenderException, InterruptedException {
    Task task = new Task(request, new CompletableFuture<>());
    tasks.add(task);
    // Each attempt may take a navigation and a settle wait, each within the timeout, and a browser
    // start; beyond that the renderer is stuck.
    Duration limit = timeout.multipliedBy(3L * ATTEMPTS + 2);
    try {
      return task.result().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RenderException failed) {
        throw failed;
      }
      throw new RenderException("rendering failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      task.result().cancel(false);
      throw new RenderException("rendering took longer than " + limit, e);
    }
  }

  /** Closes every browser (each thread closes its own), waiting a few seconds at most. */
  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
    for (Thread thread : threads) {
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One browser and the thread that drives it. */
  private final class Renderer implements Runnable {
    private @Nullable Playwright playwright;
    private @Nullable Browser browser;
    // One context per crawl: its cookies and storage stay its own.
    private final Map<String, BrowserContext> contexts = new HashMap<>();
    // The page being rendered; read by the route handler, which runs on this thread.
    private @Nullable Request current;
    private final List<String> blocked = new ArrayList<>();
    private boolean documentServed;
    // While steps run, the page may navigate (a goto, a click on a link): through the guard.
    private boolean stepsRunning;
    // A page per crawl and host, navigated from one URL of the host to the next: Chromium gives
    // each site its own renderer process, so a page kept per host saves starting one per page.
    // The least recently used goes past PAGES_PER_BROWSER.
    private final Map<String, Page> pages =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Page> eldest) {
            if (size() <= PAGES_PER_BROWSER) {
              return false;
            }
            try {
              eldest.getValue().close();
            } catch (PlaywrightException e) {
              log.debug("closing a page: {}", firstLine(e));
            }
            return true;
          }
        };
    // Requests of the current page not yet finished or failed (events arrive on this thread).
    private int inFlight;
    private int requestsStarted;
    private int timeoutsInARow;

    @Override
    public void run() {
      try {
        while (!closed) {
          Task task = tasks.take();
          if (task.result().isDone()) {
            continue; // its fetch gave up waiting
          }
          try {
            task.result().complete(renderWithRetry(task.request()));
          } catch (RenderException e) {
            task.result().completeExceptionally(e);
          } catch (RuntimeException e) {
            task.result().completeExceptionally(e);
            shutDown(); // whatever broke, the next page gets a fresh browser
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        shutDown();
      }
    }

    /** Renders; a browser that died or hung is replaced and the page rendered once more. */
    private Rendered renderWithRetry(Request request) throws RenderException {
      PlaywrightException last = null;
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          Rendered rendered = renderOnce(request);
          timeoutsInARow = 0;
          return rendered;
        } catch (PlaywrightException e) {
          last = e;
          boolean browserGone = browser == null || !browser.isConnected();
          log.warn(
              "rendering {} failed (attempt {}, browser {}): {}",
              request.url(),
              attempt,
              browserGone ? "gone" : "alive",
              firstLine(e));
          if (!browserGone && e instanceof TimeoutError) {
            // A slow page, or a hung browser: a fresh page first; a browser whose pages keep
            // timing out is started again.
            closePage(request);
            if (++timeoutsInARow >= HUNG_AFTER_TIMEOUTS) {
              shutDown();
            }
            continue;
          }
          if (!browserGone) {
            break; // the page's own fault: another try would fail alike
          }
          shutDown();
        }
      }
      throw new RenderException("rendering failed: " + firstLine(last), last);
    }

    private Rendered renderOnce(Request request) {
      BrowserContext context = context(request);
      if (!request.cookies().isEmpty()) {
        context.clearCookies();
        context.addCookies(request.cookies().stream().map(RenderPool::browserCookie).toList());
      }
      current = request;
      inFlight = 0;
      documentServed = false;
      blocked.clear();
      long started = System.nanoTime();
      Page page = page(context, request);
      try {
        page.navigate(
            request.url(),
            new Page.NavigateOptions()
                .setWaitUntil(WaitUntilState.LOAD)
                .setTimeout(timeout.toMillis()));
        settle(page, request.url());
        Map<String, Object> extracted = new LinkedHashMap<>();
        String stepError = runSteps(page, context, request, extracted);
        String html = page.content();
        // A login by steps hands the session it earned to the HTTP fetcher.
        List<okhttp3.Cookie> cookies =
            request.body() == null
                ? context.cookies().stream().map(RenderPool::httpCookie).toList()
                : List.of();
        return new Rendered(
            html,
            page.url(),
            (System.nanoTime() - started) / 1_000_000,
            List.copyOf(blocked),
            extracted,
            stepError,
            cookies);
      } finally {
        current = null;
      }
    }

    /**
     * Runs the crawl's steps for this page, in order, recording what they read; returns the first
     * failure (step number, step, page, reason), after which no further step runs.
     */
    private @Nullable String runSteps(
        Page page, BrowserContext context, Request request, Map<String, Object> extracted) {
      List<CrawlStep> steps = request.steps();
      stepsRunning = !steps.isEmpty();
      try {
        for (int i = 0; i < steps.size(); i++) {
          CrawlStep step = steps.get(i);
          try {
            runStep(page, context, request, step, i + 1, extracted);
          } catch (PlaywrightException | IllegalArgumentException | java.io.IOException e) {
            if (e instanceof PlaywrightException && (browser == null || !browser.isConnected())) {
              throw (PlaywrightException) e; // the browser died: the page is rendered again
            }
            return "step "
                + (i + 1)
                + " ("
                + step.describe()
                + ") on "
                + request.url()
                + " failed: "
                + firstLine(e);
          }
        }
        return null;
      } finally {
        stepsRunning = false;
      }
    }

    private void runStep(
        Page page,
        BrowserContext context,
        Request request,
        CrawlStep step,
        int number,
        Map<String, Object> extracted)
        throws java.io.IOException {
      double wait = step.timeoutMs() != null ? step.timeoutMs() : timeout.toMillis();
      switch (step.kind()) {
        case GOTO ->
            page.navigate(
                URI.create(page.url()).resolve(step.url()).toString(),
                new Page.NavigateOptions().setTimeout(wait));
        case FILL ->
            page.fill(
                step.selector(),
                step.value() != null ? step.value() : secret(request, step.credential()),
                new Page.FillOptions().setTimeout(wait));
        case CLICK -> page.click(step.selector(), new Page.ClickOptions().setTimeout(wait));
        case SELECT ->
            page.selectOption(
                step.selector(), step.value(), new Page.SelectOptionOptions().setTimeout(wait));
        case WAIT_FOR -> {
          if (step.selector() != null) {
            page.waitForSelector(
                step.selector(), new Page.WaitForSelectorOptions().setTimeout(wait));
          } else if (step.url() != null) {
            page.waitForURL(
                java.util.regex.Pattern.compile(step.url()),
                new Page.WaitForURLOptions().setTimeout(wait));
          } else {
            settle(page, request.url());
          }
        }
        case SET_COOKIE -> {
          int equals = step.value().indexOf('=');
          context.addCookies(
              List.of(
                  new Cookie(step.value().substring(0, equals), step.value().substring(equals + 1))
                      .setUrl(page.url())));
        }
        case SET_STORAGE ->
            page.evaluate(
                "([area, key, value]) => (area === 'local' ? localStorage : sessionStorage)"
                    + ".setItem(key, value)",
                List.of(step.storage(), step.key(), step.value()));
        case READ_STORAGE ->
            extracted.put(
                step.as(),
                page.evaluate(
                    "([area, key]) => (area === 'local' ? localStorage : sessionStorage)"
                        + ".getItem(key)",
                    List.of(step.storage(), step.key())));
        case EVALUATE -> extracted.put(step.as(), page.evaluate(step.script()));
        case EXTRACT -> extracted.put(step.as(), page.locator(step.selector()).allInnerTexts());
        case SCREENSHOT -> {
          Path file =
              screenshots
                  .resolve(request.crawlId())
                  .resolve(fingerprint(request.url()) + "-" + number + ".png");
          Files.createDirectories(file.getParent());
          page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
          extracted.put(step.as() != null ? step.as() : "screenshot", file.toString());
        }
      }
    }

    /**
     * Waits until the page has had no request in flight for {@value #QUIET_MS} ms (scripts that
     * fetch, then write links), within the timeout: a page that never stops polling is taken as it
     * is then. Playwright's own network-idle wait asks for 500 ms of quiet, which would cost every
     * page that much. Each wait is one call to the driver (the page's events arrive meanwhile), so
     * a quiet page costs one or two calls rather than one per poll.
     */
    private void settle(Page page, String url) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (inFlight > 0) {
          page.waitForTimeout(BUSY_POLL_MS);
          continue;
        }
        int before = requestsStarted;
        page.waitForTimeout(QUIET_MS);
        if (inFlight == 0 && requestsStarted == before) {
          return;
        }
      }
      log.debug("{} never went quiet; taking it as it is", url);
    }

    private BrowserContext context(Request request) {
      if (browser == null || !browser.isConnected()) {
        start();
      }
      BrowserContext context = contexts.get(request.crawlId());
      if (context == null) {
        context =
            browser.newContext(
                new Browser.NewContextOptions()
                    .setUserAgent(request.userAgent())
                    .setServiceWorkers(com.microsoft.playwright.options.ServiceWorkerPolicy.BLOCK));
        context.route("**/*", this::route);
        contexts.put(request.crawlId(), context);
      }
      return context;
    }

    private void closePage(Request request) {
      Page page = pages.remove(pageKey(request));
      if (page != null) {
        try {
          page.close();
        } catch (PlaywrightException e) {
          log.debug("closing a page: {}", firstLine(e));
        }
      }
    }

    private String pageKey(Request request) {
      return request.crawlId() + " " + dev.pipeline.core.message.CrawlUrls.hostKey(request.url());
    }

    /** The crawl's page for the URL's host in this browser, opened when first needed. */
    private Page page(BrowserContext context, Request request) {
      String key = pageKey(request);
      Page page = pages.get(key);
      if (page == null || page.isClosed()) {
        page = context.newPage();
        page.setDefaultTimeout(timeout.toMillis());
        page.onRequest(
            r -> {
              inFlight++;
              requestsStarted++;
            });
        page.onRequestFinished(r -> inFlight = Math.max(0, inFlight - 1));
        page.onRequestFailed(r -> inFlight = Math.max(0, inFlight - 1));
        pages.put(key, page);
      }
      return page;
    }

    /**
     * Every request of the page: the document itself is answered with the response already fetched;
     * the rest pass the address guard (or are refused, and recorded).
     */
    private void route(Route route) {
      Request page = current;
      com.microsoft.playwright.Request request = route.request();
      String url = request.url();
      if (page == null) {
        route.abort("blockedbyclient"); // a late request of a page already rendered
        return;
      }
      if (request.isNavigationRequest() && request.frame().parentFrame() == null) {
        boolean reload = page.body() != null && sameDocument(url, page.url());
        if (documentServed && !stepsRunning && !reload) {
          // A script sending the page elsewhere: that URL is for the frontier, not this render.
          blocked.add(url + ": a navigation away from the page");
          route.abort("blockedbyclient");
          return;
        }
        if ((documentServed && !reload) || page.body() == null) {
          documentServed = true;
          resumeIfAllowed(route, page, url);
          return;
        }
        // The document, first or reloaded by its script: the response already fetched.
        documentServed = true;
        Route.FulfillOptions answer =
            new Route.FulfillOptions().setStatus(page.status()).setBodyBytes(page.body());
        if (page.contentType() != null) {
          answer.setContentType(page.contentType());
        }
        route.fulfill(answer);
        return;
      }
      String scheme = url.substring(0, Math.max(0, url.indexOf(':'))).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        route.resume(); // data:, blob: and the like stay inside the browser
        return;
      }
      if (page.readOnly() && !READ_METHODS.contains(request.method())) {
        // A logged-in page's script could change the account; a crawl only reads.
        blocked.add(request.method() + " " + url + ": a logged-in crawl only reads");
        route.abort("blockedbyclient");
        return;
      }
      boolean screenshot =
          page.steps().stream().anyMatch(s -> s.kind() == CrawlStep.Action.SCREENSHOT);
      if (!screenshot && SKIPPED_RESOURCES.contains(request.resourceType())) {
        route.abort("blockedbyclient");
        return;
      }
      resumeIfAllowed(route, page, url);
    }

    /** Lets the request go out unless the address guard refuses its host. */
    private void resumeIfAllowed(Route route, Request page, String url) {
      String host;
      try {
        host = URI.create(url).getHost();
      } catch (IllegalArgumentException e) {
        host = null;
      }
      String refusal =
          host == null ? "no host in " + url : guard.refusal(host, page.allowPrivateAddresses());
      if (refusal != null) {
        blocked.add(url + ": " + refusal);
        route.abort("blockedbyclient");
        return;
      }
      route.resume();
    }

    private void start() {
      shutDown();
      long started = System.nanoTime();
      // The driver comes inside Playwright's jar; the browser is the system's: nothing is
      // downloaded.
      playwright =
          Playwright.create(
              new Playwright.CreateOptions()
                  .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
      browser =
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(chromium)
                      .setHeadless(true)
                      .setArgs(flags)
                      .setTimeout(timeout.toMillis() * 3));
      log.info(
          "{} started Chromium {} ({}) in {} ms",
          Thread.currentThread().getName(),
          browser.version(),
          chromium,
          (System.nanoTime() - started) / 1_000_000);
    }

    private void shutDown() {
      contexts.clear();
      pages.clear();
      Playwright running = playwright;
      playwright = null;
      browser = null;
      if (running != null) {
        try {
          running.close(); // closes its browser too
        } catch (PlaywrightException e) {
          log.debug("closing Playwright: {}", firstLine(e));
        }
      }
    }
  }

  /** A step fills in the login credential's user name or password; it is never recorded. */
  private static String secret(Request request, @Nullable String part) {
    if (request.credential() == null) {
      throw new IllegalArgumentException("the crawl has no login credential this crawler holds");
    }
    return "password".equals(part)
        ? request.credential().password()
        : request.credential().username();
  }

  private static String fingerprint(String url) {
    return java.util.HexFormat.of()
        .formatHex(
            java.util.Arrays.copyOf(
                PageFetcher.sha256().digest(url.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                8));
  }

  /** The same URL once normalised as the crawler does (a reload may spell it differently). */
  private static boolean sameDocument(String a, String b) {
    String first = dev.pipeline.core.message.CrawlUrls.normalizeOrNull(a);
    return first != null && first.equals(dev.pipeline.core.message.CrawlUrls.normalizeOrNull(b));
  }

  private static okhttp3.Cookie httpCookie(Cookie cookie) {
    okhttp3.Cookie.Builder builder =
        new okhttp3.Cookie.Builder()
            .name(cookie.name)
            .value(cookie.value)
            .path(cookie.path == null ? "/" : cookie.path);
    String domain = cookie.domain.startsWith(".") ? cookie.domain.substring(1) : cookie.domain;
    if (cookie.domain.startsWith(".")) {
      builder.domain(domain);
    } else {
      builder.hostOnlyDomain(domain);
    }
    if (cookie.expires != null && cookie.expires > 0) {
      builder.expiresAt((long) (cookie.expires * 1000));
    }
    if (Boolean.TRUE.equals(cookie.secure)) {
      builder.secure();
    }
    if (Boolean.TRUE.equals(cookie.httpOnly)) {
      builder.httpOnly();
    }
    return builder.build();
  }

  private static Cookie browserCookie(okhttp3.Cookie cookie) {
    Cookie converted =
        new Cookie(cookie.name(), cookie.value())
            .setDomain(cookie.domain())
            .setPath(cookie.path())
            .setSecure(cookie.secure())
            .setHttpOnly(cookie.httpOnly());
    if (cookie.persistent()) {
      converted.setExpires(cookie.expiresAt() / 1000.0);
    }
    return converted;
  }

  private static String firstLine(@Nullable Throwable e) {
    if (e == null) {
      return "unknown";
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // Playwright's errors read "Error {\n  message='Timeout 300ms exceeded.\n...": the message.
    int quoted = message.indexOf("message='");
    if (quoted >= 0) {
      message = message.substring(quoted + "message='".length());
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.endsWith("'") ? line.substring(0, line.length() - 1) : line;
  }
}

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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
  private static final double POLL_MS = 15;
  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  /** What to render: a page already fetched over HTTP, as the crawl's browser context sees it. */
  record Request(
      String crawlId,
      String url,
      int status,
      @Nullable String contentType,
      byte[] body,
      String userAgent,
      boolean allowPrivateAddresses,
      List<okhttp3.Cookie> cookies,
      boolean readOnly) {}

  /** The rendered DOM, and the requests of the page the guard refused. */
  record Rendered(String html, long renderMs, List<String> blocked) {}

  /** Rendering failed even in a fresh browser. */
  static final class RenderException extends Exception {
    private static final long serialVersionUID = 1L;

    RenderException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private record Task(Request request, CompletableFuture<Rendered> result) {}

  private final Path chromium;
  private final Duration timeout;
  private final PageFetcher guard;
  private final List<String> flags;
  private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  RenderPool(
      int size, Path chromium, Duration timeout, PageFetcher guard, Map<String, String> resolve) {
    this.chromium = chromium;
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
          "no Chromium at " + chromium + " (install Debian's chromium)", null);
    }
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
    // One page per crawl, navigated from one URL to the next: a new page costs a new renderer.
    private final Map<String, Page> pages = new HashMap<>();
    // Requests of the current page not yet finished or failed (events arrive on this thread).
    private int inFlight;

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
          return renderOnce(request);
        } catch (PlaywrightException e) {
          last = e;
          boolean browserGone = browser == null || !browser.isConnected();
          log.warn(
              "rendering {} failed (attempt {}, browser {}): {}",
              request.url(),
              attempt,
              browserGone ? "gone" : "alive",
              firstLine(e));
          if (!browserGone && !(e instanceof TimeoutError)) {
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
      Page page = pages.get(request.crawlId());
      try {
        page.navigate(
            request.url(),
            new Page.NavigateOptions()
                .setWaitUntil(WaitUntilState.LOAD)
                .setTimeout(timeout.toMillis()));
        settle(page, request.url());
        String html = page.content();
        return new Rendered(html, (System.nanoTime() - started) / 1_000_000, List.copyOf(blocked));
      } finally {
        current = null;
      }
    }

    /**
     * Waits until the page has had no request in flight for {@value #QUIET_MS} ms (scripts that
     * fetch, then write links), within the timeout: a page that never stops polling is taken as it
     * is then. Playwright's own network-idle wait asks for 500 ms of quiet, which would cost every
     * page that much.
     */
    private void settle(Page page, String url) {
      long deadline = System.nanoTime() + timeout.toNanos();
      long quietSince = -1;
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        if (inFlight > 0) {
          quietSince = -1;
        } else if (quietSince < 0) {
          quietSince = now;
        } else if (now - quietSince >= QUIET_MS * 1_000_000L) {
          return;
        }
        page.waitForTimeout(POLL_MS); // lets Playwright deliver the page's events meanwhile
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
        Page page = context.newPage();
        page.setDefaultTimeout(timeout.toMillis());
        page.onRequest(r -> inFlight++);
        page.onRequestFinished(r -> inFlight = Math.max(0, inFlight - 1));
        page.onRequestFailed(r -> inFlight = Math.max(0, inFlight - 1));
        pages.put(request.crawlId(), page);
      }
      return context;
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
        if (documentServed) {
          // A script sending the page elsewhere: that URL is for the frontier, not this render.
          blocked.add(url + ": a navigation away from the page");
          route.abort("blockedbyclient");
          return;
        }
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
      if (SKIPPED_RESOURCES.contains(request.resourceType())) {
        route.abort("blockedbyclient");
        return;
      }
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
          "{} started Chromium {} in {} ms",
          Thread.currentThread().getName(),
          browser.version(),
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
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Which Java driver renders pages faster with Debian's Chromium, offline: Selenium WebDriver
 * (chromedriver) or Playwright for Java. Each mode renders the same local pages, whose links a
 * script writes 20 ms after load behind a server latency, and waits until the links are there.
 *
 * <pre>
 *   selenium N            one ChromeDriver, one page at a time (the seed's sketch)
 *   playwright N          one Playwright page, one page at a time
 *   selenium-pool N T     T ChromeDrivers (T browsers), pages shared out
 *   playwright-pool N T   T Playwright instances, each with its own browser
 *   playwright-cdp N T    one browser started here; T Playwright instances connected over CDP,
 *                         each with its own isolated context
 *   selenium-crawl URL N  the render benchmark's peer: the seed's Selenium sketch, a breadth-first
 *                         crawl of up to N pages of the hosts 127.0.1.*, one page at a time in
 *                         one ChromeDriver, links read from the DOM after each load; prints JSON
 * </pre>
 */
public final class RenderDrivers {
  private static final String CHROMIUM = System.getProperty("chromium", "/usr/bin/chromium");
  private static final List<String> FLAGS = flags();

  private static List<String> flags() {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync"));
    String extra = System.getProperty("flags", "");
    if (!extra.isBlank()) {
      flags.addAll(List.of(extra.split(" ")));
    }
    return List.copyOf(flags);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    if (mode.equals("selenium-crawl")) {
      sequentialCrawl(args[1], Integer.parseInt(args[2]));
      return;
    }
    int pages = Integer.parseInt(args[1]);
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    long latencyMs = Long.getLong("latency", 100);
    HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    site.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    site.createContext(
        "/",
        exchange -> {
          try {
            Thread.sleep(latencyMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body =
              ("<html><head><title>page</title></head><body><div id=app></div><script>"
                      + "setTimeout(() => { for (let i = 0; i < 3; i++) {"
                      + " const a = document.createElement('a'); a.href = '/p' + i;"
                      + " a.textContent = 'link'; document.getElementById('app').appendChild(a);"
                      + " } }, 20);</script></body></html>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    site.start();
    String base = "http://127.0.0.1:" + site.getAddress().getPort() + "/p";
    AtomicInteger next = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(threads);
    Process browser = mode.equals("playwright-cdp") ? launchBrowser() : null;
    String endpoint = browser == null ? null : devToolsEndpoint(browser);
    long[] started = new long[1];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    switch (mode) {
                      case "selenium", "selenium-pool" -> selenium(base, pages, next, ready);
                      case "playwright", "playwright-pool", "playwright-cdp" ->
                          playwright(base, pages, next, ready, endpoint);
                      default -> throw new IllegalArgumentException("no mode " + mode);
                    }
                  }));
    }
    ready.await();
    started[0] = System.nanoTime();
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - started[0]) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%-16s x%d: %d pages in %.1f s = %.1f pages/s (latency %d ms)%n",
        mode,
        threads,
        pages,
        seconds,
        pages / seconds,
        latencyMs);
    if (browser != null) {
      browser.destroyForcibly();
    }
    site.stop(0);
  }

  private static void sequentialCrawl(String seed, int limit) {
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(FLAGS);
    ChromeDriver driver = new ChromeDriver(options);
    java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(seed));
    java.util.Set<String> seen = new java.util.HashSet<>(List.of(seed));
    int pages = 0;
    long started = System.nanoTime();
    try {
      while (!queue.isEmpty() && pages < limit) {
        String url = queue.poll();
        driver.get(url); // returns after the load event: the scripts have written the links
        pages++;
        // One round trip for all links, rather than one per element: the peer at its best.
        Object hrefs =
            driver.executeScript(
                "return Array.from(document.querySelectorAll('a[href]'), a => a.href);");
        if (hrefs instanceof List<?> links) {
          for (Object link : links) {
            String href = String.valueOf(link);
            int hash = href.indexOf('#');
            String target = hash < 0 ? href : href.substring(0, hash);
            if (target.startsWith("http://127.0.1.") && seen.add(target)) {
              queue.add(target);
            }
          }
        }
      }
    } finally {
      driver.quit();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "{\"pages\":%d,\"seconds\":%.2f,\"pagesPerSecond\":%.2f}%n",
        pages,
        seconds,
        pages / seconds);
  }

  private static void selenium(String base, int pages, AtomicInteger next, CountDownLatch ready) {
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"); // no Selenium Manager
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(FLAGS);
    ChromeDriver driver = new ChromeDriver(options);
    try {
      ready.countDown();
      ready.await();
      for (int i = next.getAndIncrement(); i < pages; i = next.getAndIncrement()) {
        driver.get(base + i);
        new WebDriverWait(driver, Duration.ofSeconds(10))
            .until(d -> !d.findElements(By.cssSelector("#app a")).isEmpty());
        driver.findElements(By.tagName("a")).size();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      driver.quit();
    }
  }

  private static void playwright(
      String base, int pages, AtomicInteger next, CountDownLatch ready, String endpoint) {
    Playwright.CreateOptions create =
        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"));
    try (Playwright playwright = Playwright.create(create)) {
      Browser browser =
          endpoint != null
              ? playwright.chromium().connectOverCDP(endpoint)
              : playwright
                  .chromium()
                  .launch(
                      new BrowserType.LaunchOptions()
                          .setExecutablePath(Path.of(CHROMIUM))
                          .setArgs(FLAGS.subList(1, FLAGS.size())));
      Page page = browser.newContext().newPage();
      ready.countDown();
      ready.await();
      for (int i = next.getAndIncrement(); i < pages; i = next.getAndIncrement()) {
        page.navigate(base + i);
        page.waitForSelector("#app a");
        page.locator("a").count();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process launchBrowser() throws Exception {
    Path profile = Files.createTempDirectory("render-drivers");
    List<String> command = new ArrayList<>(List.of(CHROMIUM));
    command.addAll(FLAGS);
    command.add("--remote-debugging-port=0");
    command.add("--user-data-dir=" + profile);
    command.add("about:blank");
    return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Chromium prints "DevTools listening on ws://..." on stderr once it is ready. */
  private static String devToolsEndpoint(Process browser) throws Exception {
    BufferedReader err =
        new BufferedReader(new InputStreamReader(browser.getErrorStream(), StandardCharsets.UTF_8));
    for (String line = err.readLine(); line != null; line = err.readLine()) {
      int at = line.indexOf("ws://");
      if (line.startsWith("DevTools listening on") && at >= 0) {
        Thread.ofPlatform().daemon().start(() -> err.lines().forEach(l -> {}));
        return line.substring(at);
      }
    }
    throw new IllegalStateException("chromium ended before it listened");
  }
}

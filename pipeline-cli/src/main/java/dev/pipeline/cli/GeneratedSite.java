package dev.pipeline.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A web site made up on the fly for crawl demos and benchmarks: {@code pages} pages spread over
 * {@code hosts} loopback addresses (127.0.1.1, 127.0.1.2, ...) on one port, each answering after
 * {@code latencyMs}. Page i lives on host i mod hosts and links its children in a tree of {@code
 * BRANCHING} (so every page is reachable), the home page and a few random pages (so a crawler sees
 * each URL several times and must deduplicate). A scripted site writes each page's links with a
 * script instead, so only a crawler that renders pages finds more than the home page. A site with a
 * {@link Login} shows its pages only to a session opened at {@code /login} (a form with a CSRF
 * token); any other request is redirected there.
 */
final class GeneratedSite implements AutoCloseable {
  static final int BRANCHING = 4;
  static final int RANDOM_LINKS = 4;
  private static final String FILLER =
      " Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.".repeat(20);

  private final int pages;
  private final int hosts;
  private final long latencyMs;
  private final boolean scripted;
  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong requests = new AtomicLong();
  private final @Nullable Login login;
  private final String csrfToken = token();
  // The newest MAX_SESSIONS sessions, oldest first in the queue: a site served for long must not
  // grow with every login. A dropped session is redirected to the login like an expired one.
  static final int MAX_SESSIONS = 1_000;
  private final Set<String> sessions = ConcurrentHashMap.newKeySet();
  private final Queue<String> sessionsByAge = new ConcurrentLinkedQueue<>();

  /** The one account of a site that asks for a login. */
  record Login(String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + "]"; // the password stays out of logs
    }
  }

  GeneratedSite(int pages, int hosts, long latencyMs, int port) throws IOException {
    this(pages, hosts, latencyMs, port, false, null);
  }

  GeneratedSite(
      int pages, int hosts, long latencyMs, int port, boolean scripted, @Nullable Login login)
      throws IOException {
    if (pages < 1 || hosts < 1 || hosts > 254 || latencyMs < 0) {
      throw new CliException("--pages must be >= 1, --hosts 1-254 and --latency >= 0");
    }
    this.pages = pages;
    this.hosts = hosts;
    this.latencyMs = latencyMs;
    this.scripted = scripted;
    this.login = login;
    try {
      int bound = port;
      for (int h = 0; h < hosts; h++) {
        int index = h;
        // Port 0: the first host gets a free port, and the others the same one.
        HttpServer server =
            HttpServer.create(new InetSocketAddress(InetAddress.getByName(host(h)), bound), 1024);
        bound = server.getAddress().getPort();
        server.setExecutor(executor);
        server.createContext("/", exchange -> serve(index, exchange));
        server.start();
        servers.add(server);
      }
    } catch (IOException e) {
      close();
      throw new CliException("cannot serve the site on port " + port + ": " + e.getMessage());
    }
  }

  static String host(int index) {
    return "127.0.1." + (index + 1);
  }

  int port() {
    return servers.get(0).getAddress().getPort();
  }

  String url(int page) {
    return "http://" + host(page % hosts) + ":" + port() + "/p" + page;
  }

  long requests() {
    return requests.get();
  }

  private void serve(int host, HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (latencyMs > 0) {
        Thread.sleep(latencyMs);
      }
      String path = exchange.getRequestURI().getPath();
      if (login != null && path.equals("/login")) {
        serveLogin(exchange);
        return;
      }
      if (login != null && !sessions.contains(cookie(exchange, "session", ""))) {
        exchange.getResponseHeaders().set("Location", "/login");
        send(exchange, 303, "<html><title>Log in first</title></html>");
        return;
      }
      int page = -1;
      if (path.matches("/p\\d{1,9}")) {
        page = Integer.parseInt(path.substring(2));
      }
      if (page < 0 || page >= pages || page % hosts != host) {
        send(exchange, 404, "<html><title>Not found</title></html>");
        return;
      }
      send(exchange, 200, html(page));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** GET: the form, with its CSRF token; POST: a session for the right account and token. */
  private void serveLogin(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      send(
          exchange,
          200,
          "<!doctype html><html><head><title>Log in</title></head><body><form method=post"
              + " action=/login><input type=hidden name=csrf value="
              + csrfToken
              + "><input name=username><input type=password name=password>"
              + "<button>Log in</button></form></body></html>");
      return;
    }
    Map<String, String> form = new HashMap<>();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    if (!csrfToken.equals(form.get("csrf"))
        || !login.username().equals(form.get("username"))
        || !login.password().equals(form.get("password"))) {
      send(exchange, 403, "<html><title>Wrong user name or password</title></html>");
      return;
    }
    String session = token();
    sessions.add(session);
    sessionsByAge.add(session);
    while (sessions.size() > MAX_SESSIONS) {
      String oldest = sessionsByAge.poll();
      if (oldest == null) {
        break;
      }
      sessions.remove(oldest);
    }
    exchange.getResponseHeaders().add("Set-Cookie", "session=" + session + "; Path=/; HttpOnly");
    exchange.getResponseHeaders().set("Location", "/p0");
    send(exchange, 303, "<html><title>Logged in</title></html>");
  }

  private static String cookie(HttpExchange exchange, String name, String otherwise) {
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        String trimmed = pair.trim();
        if (trimmed.startsWith(name + "=")) {
          return trimmed.substring(name.length() + 1);
        }
      }
    }
    return otherwise;
  }

  private static String token() {
    byte[] bytes = new byte[16];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private String html(int page) {
    return scripted ? scripted(plainHtml(page)) : plainHtml(page);
  }

  /** The same page with its list of links turned into data that a script writes out. */
  private static String scripted(String html) {
    int start = html.indexOf("<ul>");
    int end = html.indexOf("</ul>");
    String list = html.substring(start + 4, end);
    StringBuilder links = new StringBuilder("[");
    for (String item : list.split("<li>")) {
      if (item.isEmpty()) {
        continue;
      }
      int hrefStart = item.indexOf('"') + 1;
      String href = item.substring(hrefStart, item.indexOf('"', hrefStart));
      String text = item.substring(item.indexOf('>') + 1, item.indexOf("</a>"));
      links.append(links.length() > 1 ? "," : "").append("[\"").append(href).append("\",\"");
      links.append(text).append("\"]");
    }
    links.append(']');
    return html.substring(0, start)
        + "<ul id=links></ul><noscript>This page needs JavaScript.</noscript><script>"
        + "const list = document.getElementById('links');"
        + "for (const [href, text] of "
        + links
        + ") { const li = document.createElement('li'); const a = document.createElement('a');"
        + " a.href = href; a.textContent = text; li.appendChild(a); list.appendChild(li); }"
        + "</script>"
        + html.substring(end + 5);
  }

  private String plainHtml(int page) {
    StringBuilder html =
        new StringBuilder("<!doctype html><html><head><title>Page ")
            .append(page)
            .append("</title></head><body><h1>Page ")
            .append(page)
            .append("</h1><p>")
            .append(FILLER)
            .append("</p><ul>");
    for (int child = page * BRANCHING + 1; child <= page * BRANCHING + BRANCHING; child++) {
      if (child < pages) {
        html.append("<li><a href=\"").append(url(child)).append("\">child</a>");
      }
    }
    SplittableRandom random = new SplittableRandom(page);
    for (int i = 0; i < RANDOM_LINKS; i++) {
      html.append("<li><a href=\"")
          .append(url(random.nextInt(pages)))
          .append("#more\">see also</a>");
    }
    return html.append("<li><a href=\"")
        .append(url(0))
        .append("\">home</a></ul></body></html>")
        .toString();
  }

  private static void send(HttpExchange exchange, int status, String html) throws IOException {
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    servers.forEach(server -> server.stop(0));
    executor.close();
  }
}

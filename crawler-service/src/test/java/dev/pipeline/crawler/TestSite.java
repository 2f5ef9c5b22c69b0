package dev.pipeline.crawler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a loopback address for crawler tests: pages by path, custom handlers, and
 * the server's own record of every request (when it arrived, when it ended, its headers), so
 * politeness is measured where it matters.
 */
final class TestSite implements AutoCloseable {
  /** One request as the server saw it. */
  record Request(String path, long startNanos, long endNanos, Map<String, List<String>> headers) {}

  /** Answers one request. */
  @FunctionalInterface
  interface Handler {
    void handle(HttpExchange exchange) throws Exception;
  }

  private final HttpServer server;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<String> arrivals = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile long latencyMs;

  private TestSite(String address) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 200);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::serve);
    server.start();
  }

  static TestSite on(String address) {
    return new TestSite(address);
  }

  static TestSite start() {
    return on("127.0.0.1");
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The URL of {@code path} on this site, by its address. */
  String url(String path) {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + path;
  }

  /** The URL of {@code path} under a host name the crawler resolves to this site's address. */
  String url(String host, String path) {
    return "http://" + host + ":" + port() + path;
  }

  TestSite page(String path, String html) {
    return handle(path, exchange -> send(exchange, 200, "text/html; charset=utf-8", html));
  }

  TestSite handle(String path, Handler handler) {
    handlers.put(path, handler);
    return this;
  }

  TestSite latency(long millis) {
    this.latencyMs = millis;
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Paths of the requests that arrived (answered or not), robots.txt left out. */
  List<String> pagesRequested() {
    return arrivals.stream().filter(p -> !p.equals("/robots.txt")).toList();
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static void redirect(HttpExchange exchange, int status, String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private void serve(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    String path = exchange.getRequestURI().getRawPath();
    if (exchange.getRequestURI().getRawQuery() != null) {
      path += "?" + exchange.getRequestURI().getRawQuery();
    }
    arrivals.add(path);
    boolean answering = false;
    try {
      if (latencyMs > 0) {
        Thread.sleep(latencyMs);
      }
      // A request is in flight until the server starts its answer: the client may send its next
      // one as soon as it has read this answer, before this thread reaches its finally.
      inFlight.decrementAndGet();
      answering = true;
      Handler handler = handlers.get(path);
      if (handler == null) {
        send(exchange, 404, "text/html", "<html><title>Not found</title></html>");
      } else {
        handler.handle(exchange);
      }
    } catch (IOException e) {
      // the client went away (a timeout on its side)
    } catch (Exception e) {
      send(exchange, 500, "text/plain", e.toString());
    } finally {
      if (!answering) {
        inFlight.decrementAndGet();
      }
      requests.add(
          new Request(path, start, System.nanoTime(), Map.copyOf(exchange.getRequestHeaders())));
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

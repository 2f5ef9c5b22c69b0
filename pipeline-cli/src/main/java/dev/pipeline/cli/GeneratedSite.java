package dev.pipeline.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A web site made up on the fly for crawl demos and benchmarks: {@code pages} pages spread over
 * {@code hosts} loopback addresses (127.0.1.1, 127.0.1.2, ...) on one port, each answering after
 * {@code latencyMs}. Page i lives on host i mod hosts and links its children in a tree of {@code
 * BRANCHING} (so every page is reachable), the home page and a few random pages (so a crawler sees
 * each URL several times and must deduplicate).
 */
final class GeneratedSite implements AutoCloseable {
  static final int BRANCHING = 4;
  static final int RANDOM_LINKS = 4;
  private static final String FILLER =
      " Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.".repeat(20);

  private final int pages;
  private final int hosts;
  private final long latencyMs;
  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong requests = new AtomicLong();

  GeneratedSite(int pages, int hosts, long latencyMs, int port) throws IOException {
    if (pages < 1 || hosts < 1 || hosts > 254 || latencyMs < 0) {
      throw new CliException("--pages must be >= 1, --hosts 1-254 and --latency >= 0");
    }
    this.pages = pages;
    this.hosts = hosts;
    this.latencyMs = latencyMs;
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

  private String html(int page) {
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

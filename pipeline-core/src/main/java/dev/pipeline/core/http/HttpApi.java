package dev.pipeline.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.core.message.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP server on virtual threads whose routes answer JSON. When a token is set, every route but
 * {@code /health} needs {@code Authorization: Bearer TOKEN}.
 *
 * <pre>{@code
 * HttpApi api = HttpApi.start("127.0.0.1", 8080, token, Map.of(
 *     "/v1/logs", HttpApi.route(Set.of("POST"), request -> HttpApi.json(202, Map.of("accepted", 1)))));
 * }</pre>
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  private final HttpServer server;

  private HttpApi(HttpServer server) {
    this.server = server;
  }

  /**
   * What a route answers: a status, a value written as JSON (or a {@link Streamed} body), and extra
   * headers.
   */
  public record Response(int status, @Nullable Object body, Map<String, String> headers) {}

  /**
   * A body written while it is produced, sent chunked: for answers that last, such as a stream of
   * results. It may learn that the client has gone from an {@link IOException} on write or flush.
   */
  @FunctionalInterface
  public interface Streamed {
    void writeTo(OutputStream out) throws IOException;
  }

  /** One request: its method, path, decoded query parameters and headers, and its body. */
  public static final class Request {
    private final HttpExchange exchange;
    private final Map<String, String> query;

    Request(HttpExchange exchange) {
      this.exchange = exchange;
      this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    public String method() {
      return exchange.getRequestMethod();
    }

    public String path() {
      return exchange.getRequestURI().getPath();
    }

    public Map<String, String> query() {
      return query;
    }

    public @Nullable String header(String name) {
      return exchange.getRequestHeaders().getFirst(name);
    }

    /** Reads the body, refusing with 413 one larger than {@code limit} bytes. */
    public byte[] body(int limit) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = exchange.getRequestBody()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          if (out.size() + n > limit) {
            throw new HttpError(413, "request body is larger than " + limit + " bytes");
          }
          out.write(buffer, 0, n);
        }
      }
      return out.toByteArray();
    }

    /** The body as it arrives, for a route that reads it a line at a time. */
    public InputStream bodyStream() {
      return exchange.getRequestBody();
    }
  }

  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  /** Returns a handler that allows only {@code methods} and answers 405 otherwise. */
  public static Handler route(Set<String> methods, Handler handler) {
    return request -> {
      if (!methods.contains(request.method())) {
        throw new HttpError(
            405,
            request.method() + " is not allowed here; use " + String.join(" or ", methods),
            Map.of("Allow", String.join(", ", methods)));
      }
      return handler.handle(request);
    };
  }

  public static Response json(int status, Object body) {
    return new Response(status, body, Map.of());
  }

  /** An answer of {@code contentType} written by {@code body} as it goes. */
  public static Response streamed(int status, String contentType, Streamed body) {
    return new Response(status, body, Map.of("Content-Type", contentType));
  }

  /**
   * Starts a server on {@code host:port} (0 picks a free port) with {@code routes} by path prefix,
   * plus {@code GET /health}.
   *
   * @throws IOException if the address cannot be bound
   */
  public static HttpApi start(
      String host, int port, @Nullable String token, Map<String, Handler> routes)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 256);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Map<String, Handler> all = new LinkedHashMap<>(routes);
    all.putIfAbsent("/health", route(Set.of("GET"), request -> json(200, Map.of("status", "ok"))));
    byte[] expected =
        token == null || token.isEmpty()
            ? null
            : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    all.forEach(
        (path, handler) ->
            server.createContext(path, exchange -> serve(exchange, path, handler, expected)));
    server.start();
    return new HttpApi(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void serve(
      HttpExchange exchange, String path, Handler handler, byte @Nullable [] expectedAuth)
      throws IOException {
    Response response;
    try {
      if (expectedAuth != null && !path.equals("/health")) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        // Constant-time comparison: the token must not leak through timing.
        if (auth == null
            || !MessageDigest.isEqual(expectedAuth, auth.getBytes(StandardCharsets.UTF_8))) {
          throw new HttpError(
              401, "missing or wrong bearer token", Map.of("WWW-Authenticate", "Bearer"));
        }
      }
      if (!exchange.getRequestURI().getPath().equals(path)) {
        throw new HttpError(404, "no such path: " + exchange.getRequestURI().getPath());
      }
      response = handler.handle(new Request(exchange));
    } catch (HttpError e) {
      response = new Response(e.status(), Map.of("error", e.getMessage()), e.headers());
    } catch (Exception e) {
      log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      response = json(500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    if (response.body() instanceof Streamed streamed) {
      OutputStream body;
      try {
        exchange.sendResponseHeaders(response.status(), 0); // 0: chunked, length unknown
        body = exchange.getResponseBody();
        body.flush(); // the status goes now, not with the first line of a body that may be slow
      } catch (IOException e) {
        // The body still runs, to let go of what it holds: its first write fails.
        body = GONE;
      }
      try (OutputStream out = body) {
        streamed.writeTo(out);
      } catch (IOException e) {
        log.debug("{} {}: the client went away", exchange.getRequestMethod(), path, e);
      } catch (RuntimeException e) {
        // The status is sent: the client sees the stream end early, without its last line.
        log.error("{} {} failed while streaming", exchange.getRequestMethod(), path, e);
      }
      exchange.close();
      return;
    }
    byte[] body =
        response.body() == null ? new byte[0] : MessageCodec.standard().encode(response.body());
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  /** Where a streamed body goes when its client left before the answer began. */
  private static final OutputStream GONE =
      new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          throw new IOException("the client has gone");
        }

        @Override
        public void flush() throws IOException {
          throw new IOException("the client has gone");
        }
      };

  private static Map<String, String> parseQuery(@Nullable String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(name, value);
    }
    return query;
  }

  /** Stops accepting requests and waits up to two seconds for those in progress. */
  @Override
  public void close() {
    server.stop(2);
  }
}

package dev.pipeline.core.http;

import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The HTTP options services with an API share, as a picocli mixin: the bind address (loopback
 * unless told otherwise) and the bearer token. Each service has its own port option.
 */
public final class HttpOptions {
  @Option(
      names = "--http-host",
      defaultValue = "${env:PIPELINE_HTTP_HOST:-127.0.0.1}",
      description =
          "Address the HTTP API binds to (env PIPELINE_HTTP_HOST, default ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--http-token",
      defaultValue = "${env:PIPELINE_HTTP_TOKEN}",
      description =
          "Bearer token every request but /health must carry (env PIPELINE_HTTP_TOKEN; none by default).")
  @Nullable String token;

  public String host() {
    return host;
  }

  /**
   * Starts the API on {@code port}, or fails with a one-line reason when the address is taken.
   *
   * @throws IllegalStateException if the address cannot be bound
   */
  public HttpApi start(int port, Map<String, HttpApi.Handler> routes) {
    try {
      return HttpApi.start(host, port, token, routes);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot listen on "
              + host
              + ":"
              + port
              + ": "
              + e.getMessage()
              + " (set --http-port or PIPELINE_HTTP_PORT)",
          e);
    }
  }
}

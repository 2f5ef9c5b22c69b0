package dev.pipeline.core.http;

import java.util.Map;

/** An answer other than success, with the status and the reason a client sees as JSON. */
public final class HttpError extends RuntimeException {
  private final int status;
  private final Map<String, String> headers;

  public HttpError(int status, String reason) {
    this(status, reason, Map.of());
  }

  public HttpError(int status, String reason, Map<String, String> headers) {
    super(reason);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }
}

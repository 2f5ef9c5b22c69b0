package dev.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Asks consumer-service's query API; the CLI reads the store only through it. */
final class QueryClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private QueryClient(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /**
   * Uses {@code url} if given, else PIPELINE_CONSUMER_URL, else a running local consumer-service.
   */
  static QueryClient locate(@Nullable String url) {
    if (url != null) {
      return new QueryClient(url);
    }
    String env = System.getenv("PIPELINE_CONSUMER_URL");
    if (env != null && !env.isBlank()) {
      return new QueryClient(env);
    }
    State state = new LocalPipeline(Layout.detect(), System.err).requireRunning();
    return state.instancesOf(ServiceName.CONSUMER).stream()
        .filter(p -> p.httpPort() > 0 && p.alive())
        .findFirst()
        .map(p -> new QueryClient("http://127.0.0.1:" + p.httpPort()))
        .orElseThrow(
            () ->
                new CliException(
                    "no consumer-service is running; start one with: bin/pipeline scale consumer-service=1",
                    3));
  }

  /** GETs {@code path} with the non-null parameters and returns the JSON answer. */
  JsonNode get(String path, Map<String, @Nullable Object> parameters) {
    String query =
        parameters.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(
                e ->
                    e.getKey()
                        + "="
                        + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    URI uri = URI.create(baseUrl + path + (query.isEmpty() ? "" : "?" + query));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    String token = System.getenv("PIPELINE_HTTP_TOKEN");
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException("cannot reach consumer-service at " + baseUrl + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 130);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new CliException(
          "consumer-service answered " + response.statusCode() + " with something other than JSON");
    }
    if (response.statusCode() != 200) {
      throw new CliException(
          body.path("error").asText("consumer-service answered " + response.statusCode()));
    }
    return body;
  }
}

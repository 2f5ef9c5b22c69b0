package dev.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.hash.HashAnswer;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.hash.HashRequest;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.MessageCodec;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Streams jobs to producer-service's {@code POST /v1/hashes} as one request and reads the outcomes
 * it streams back. This process then compiles no Kafka client, which for a run of small files is
 * most of its work.
 */
final class ServiceHashRoute implements HashRoute {
  private static final MessageCodec CODEC = MessageCodec.standard();

  private final String baseUrl;
  private final boolean waiting;
  private final HttpURLConnection connection;
  private final OutputStream body;
  private final List<String> sent = new ArrayList<>(); // job ids by request line
  private @Nullable BufferedReader answer;
  private volatile boolean cancelled;

  ServiceHashRoute(String baseUrl, boolean waiting, Duration timeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.waiting = waiting;
    try {
      connection =
          (HttpURLConnection)
              URI.create(
                      this.baseUrl
                          + "/v1/hashes?wait="
                          + waiting
                          + "&timeout="
                          + Math.max(1, timeout.toSeconds()))
                  .toURL()
                  .openConnection();
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setChunkedStreamingMode(64 * 1024);
      connection.setConnectTimeout(5_000);
      // The service writes at least every 5 s while a run waits: a minute of silence is a fault.
      connection.setReadTimeout(60_000);
      connection.setRequestProperty("Content-Type", "application/x-ndjson");
      String token = System.getenv("PIPELINE_HTTP_TOKEN");
      if (token != null && !token.isBlank()) {
        connection.setRequestProperty("Authorization", "Bearer " + token);
      }
      body = new BufferedOutputStream(connection.getOutputStream(), 64 * 1024);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(
          "cannot reach producer-service at " + this.baseUrl + ": " + e.getMessage());
    }
  }

  @Override
  public String description() {
    return "producer-service at " + baseUrl;
  }

  @Override
  public void submit(HashJob job) {
    sent.add(job.jobId());
    try {
      body.write(
          CODEC.encode(
              new HashRequest(job.jobId(), job.source(), job.algorithms(), job.expected())));
      body.write('\n');
    } catch (IOException e) {
      throw lost(e);
    }
  }

  @Override
  public Map<String, String> finish() {
    int status;
    try {
      body.close();
      status = connection.getResponseCode();
    } catch (IOException e) {
      throw lost(e);
    }
    if (waiting && status == 200) {
      try {
        answer =
            new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8),
                64 * 1024);
      } catch (IOException e) {
        throw lost(e);
      }
      return Map.of(); // jobs not taken come back in the stream, each with its reason
    }
    JsonNode reply = reply(status);
    if (status != 202 && status != 400 || !reply.has("accepted")) {
      throw new CliException(
          "producer-service answered "
              + status
              + ": "
              + reply.path("error").asText(reply.toString()),
          1);
    }
    Map<String, String> refused = new HashMap<>();
    reply
        .path("refused")
        .properties()
        .forEach(
            e -> refused.put(sent.get(Integer.parseInt(e.getKey()) - 1), e.getValue().asText()));
    reply.path("failed").properties().forEach(e -> refused.put(e.getKey(), e.getValue().asText()));
    return refused;
  }

  private JsonNode reply(int status) {
    try (InputStream in =
        status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
      return CODEC.parse(in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return CODEC.parse("{}");
    }
  }

  @Override
  public Set<String> awaitAll(
      Set<String> jobIds,
      Duration timeout,
      BooleanSupplier stop,
      Consumer<HashOutcomes.Outcome> onOutcome) {
    if (answer == null) {
      throw new IllegalStateException("this route was opened without waiting");
    }
    Set<String> pending = new HashSet<>(jobIds);
    try {
      for (String line; !pending.isEmpty() && !stop.getAsBoolean(); ) {
        line = answer.readLine();
        if (line == null) {
          throw new IOException("the answer ended early");
        }
        if (line.isBlank()) {
          continue;
        }
        switch (HashAnswer.read(line)) {
          case HashAnswer.Job job -> {
            if (pending.remove(job.outcome().jobId())) {
              onOutcome.accept(job.outcome());
            }
          }
          case HashAnswer.Refused refused -> {
            String jobId = sent.get((int) refused.line() - 1);
            if (pending.remove(jobId)) {
              onOutcome.accept(new HashOutcomes.Outcome(jobId, null, refused.reason()));
            }
          }
          case HashAnswer.End end -> {
            return pending;
          }
        }
      }
    } catch (IOException e) {
      if (!cancelled) {
        throw lost(e);
      }
    }
    return pending;
  }

  private CliException lost(IOException e) {
    if (cancelled) { // Ctrl-C closed the connection under a send
      return new CliException("interrupted", 130);
    }
    return new CliException("lost producer-service at " + baseUrl + ": " + e.getMessage(), 1);
  }

  @Override
  public void cancel() {
    cancelled = true;
    connection.disconnect();
  }

  @Override
  public void close() {
    connection.disconnect();
  }
}

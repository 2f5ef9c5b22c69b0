package dev.pipeline.producer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.runtime.ServiceRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where work comes in over HTTP. This first version creates the topics and answers {@code GET
 * /health}; the ingest API comes with the log-events issue.
 */
@Command(
    name = "producer-service",
    mixinStandardHelpOptions = true,
    description = "The HTTP ingest service. Binds to 127.0.0.1 unless told otherwise.")
public final class ProducerService implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ProducerService.class);

  @Mixin ServiceOptions options;

  @Option(
      names = "--http-host",
      defaultValue = "${env:PIPELINE_HTTP_HOST:-127.0.0.1}",
      description =
          "Address the HTTP API binds to (env PIPELINE_HTTP_HOST, default ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(
      names = "--http-port",
      defaultValue = "${env:PIPELINE_HTTP_PORT:-8080}",
      description = "HTTP port (env PIPELINE_HTTP_PORT, default ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    KafkaSettings kafka = options.kafka();
    ServiceRunner.prepareTopics(kafka, options.partitions());
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(httpHost, httpPort), 128);
    } catch (BindException e) {
      System.err.println(
          "producer-service: cannot listen on "
              + httpHost
              + ":"
              + httpPort
              + ": "
              + e.getMessage()
              + " (set --http-port or PIPELINE_HTTP_PORT)");
      return 2;
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/health", this::health);
    server.start();
    log.info(
        "producer-service ready: listening on http://{}:{}",
        httpHost,
        server.getAddress().getPort());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(2);
                  stopped.countDown();
                },
                "producer-service-shutdown"));
    stopped.await();
    return 0;
  }

  private void health(HttpExchange exchange) throws IOException {
    byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProducerService()).execute(args));
  }
}

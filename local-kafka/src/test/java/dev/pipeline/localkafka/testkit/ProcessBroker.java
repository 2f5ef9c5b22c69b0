package dev.pipeline.localkafka.testkit;

import dev.pipeline.localkafka.LocalKafkaMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** A {@code local-kafka} broker run as a child process on a free port, killed with its parent. */
final class ProcessBroker implements TestBroker {
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private final int controllerPort;
  private @Nullable Process process;

  ProcessBroker() {
    try {
      this.dataDir = Files.createTempDirectory("test-kafka");
      this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
      this.port = freePort();
      this.controllerPort = freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  @Override
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                LocalKafkaMain.class.getName(),
                "--port",
                String.valueOf(port),
                "--controller-port",
                String.valueOf(controllerPort),
                "--data-dir",
                dataDir.toString(),
                "--parent-pid",
                String.valueOf(ProcessHandle.current().pid())));
    for (Map.Entry<String, String> e : TestBroker.testOverrides().entrySet()) {
      command.add("--override");
      command.add(e.getKey() + "=" + e.getValue());
    }
    try {
      Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
      awaitReadyLine(started);
      process = started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start local-kafka", e);
    }
  }

  /** Reads the broker's output into the log file until it says it is ready. */
  private void awaitReadyLine(Process started) throws IOException {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
                  var out =
                      Files.newBufferedWriter(
                          logFile,
                          StandardCharsets.UTF_8,
                          java.nio.file.StandardOpenOption.CREATE,
                          java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.write(line);
                  out.newLine();
                  out.flush();
                  if (line.startsWith("local-kafka ready")) {
                    ready.complete(null);
                  }
                }
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
              ready.completeExceptionally(
                  new IllegalStateException("local-kafka exited; see " + logFile));
            },
            "test-broker-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(90, TimeUnit.SECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      started.destroyForcibly();
      throw new IllegalStateException("local-kafka did not start; see " + logFile, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      started.destroyForcibly();
      throw new IllegalStateException("interrupted while starting local-kafka", e);
    }
  }

  @Override
  public synchronized void stop() {
    Process running = process;
    if (running == null) {
      return;
    }
    running.destroy();
    try {
      if (!running.waitFor(60, TimeUnit.SECONDS)) {
        running.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package dev.pipeline.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A real JVM started from this test's classpath, for tests that kill workers with SIGKILL or stop
 * them with SIGTERM. Its output is kept in memory (and echoed with a prefix) so a test can wait for
 * a line.
 */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread pump;

  private JavaProcess(Process process, String name) {
    this.process = process;
    this.pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                  if (!line.startsWith("started ")) {
                    System.out.println("[" + name + "] " + line);
                  }
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            name + "-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code mainClass} with {@code args} in a new JVM. */
  public static JavaProcess start(String name, Class<?> mainClass, String... args) {
    return start(name, java.util.Map.of(), mainClass, args);
  }

  /** Starts {@code mainClass} with {@code args} in a new JVM, with {@code env} added. */
  public static JavaProcess start(
      String name, java.util.Map<String, String> env, Class<?> mainClass, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass.getName()));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(env);
      return new JavaProcess(builder.start(), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits until a line of output matches. */
  public void awaitLine(Predicate<String> match, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> lines.stream().anyMatch(match) || !process.isAlive());
    if (lines.stream().noneMatch(match)) {
      throw new AssertionError(
          "process "
              + pid()
              + " ended without the expected line; output:\n"
              + String.join("\n", lines));
    }
  }

  /** Sends SIGKILL: the process gets no chance to clean up. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends SIGTERM and returns the exit code once the process has ended and {@link #lines()} holds
   * all it wrote as it stopped. (Through its handle: {@code Process.destroy()} also closes our end
   * of its output, so what it logs while stopping, a final report say, would be lost.)
   */
  public int terminate(Duration timeout) throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "process " + pid() + " did not stop within " + timeout + " of SIGTERM");
    }
    pump.join(Duration.ofSeconds(10));
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}

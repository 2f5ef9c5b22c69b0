package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Starts and stops the pipeline's OS processes. Each runs in its own session (setsid), so a Ctrl-C
 * in the terminal that ran {@code pipeline up} does not reach it; its output goes to {@code
 * .pipeline/logs/NAME.log}.
 */
final class Supervisor {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Layout layout;

  Supervisor(Layout layout) {
    this.layout = layout;
  }

  /** Starts the local broker and waits until it answers; fails in one line if its port is taken. */
  ManagedProcess startBroker(int port) {
    ensurePortFree(port, "the broker");
    ensurePortFree(port + 1, "the broker's controller");
    ManagedProcess broker =
        launch(
            "local-kafka",
            0,
            layout.jar("local-kafka"),
            Map.of(),
            List.of("--port", String.valueOf(port), "--data-dir", layout.kafkaData().toString()),
            List.of("-Xmx1g"),
            0);
    awaitLogLine(broker, "local-kafka ready");
    return broker;
  }

  /** Starts one instance of a service connected to {@code bootstrap}. */
  ManagedProcess startService(
      ServiceName service, int index, String bootstrap, Map<String, String> env) {
    Map<String, String> environment = new java.util.HashMap<>(env);
    environment.put("PIPELINE_BOOTSTRAP", bootstrap);
    environment.put("PIPELINE_WORKER_ID", service.id() + "-" + index);
    int httpPort = Integer.parseInt(environment.getOrDefault("PIPELINE_HTTP_PORT", "0"));
    return launch(
        service.id(),
        index,
        layout.jar(service.id()),
        environment,
        List.of(),
        List.of("-Xmx512m"),
        httpPort);
  }

  /**
   * Waits until the process logs its ready line; fails with the end of its log if it dies first.
   */
  void awaitReady(ManagedProcess process) {
    awaitLogLine(process, " ready");
  }

  private void awaitLogLine(ManagedProcess process, String marker) {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      String log = readLog(process.log());
      if (log.contains(marker)) {
        return;
      }
      if (!process.alive()) {
        throw new CliException(
            name(process)
                + " exited while starting: "
                + whyItExited(log, process.service())
                + " (see "
                + process.log()
                + ")");
      }
      sleep(50);
    }
    throw new CliException(
        name(process)
            + " did not get ready within "
            + READY_TIMEOUT.toSeconds()
            + " s (see "
            + process.log()
            + ")");
  }

  /**
   * Stops processes gracefully: SIGTERM to all at once, then SIGKILL to any still running after the
   * timeout. Returns the names of those that had to be killed.
   */
  List<String> stop(List<ManagedProcess> processes, Duration timeout) {
    List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
    List<ProcessHandle> handles = new ArrayList<>();
    for (ManagedProcess process : processes) {
      process
          .handle()
          .ifPresent(
              handle -> {
                handle.destroy();
                handles.add(handle);
                exits.add(handle.onExit());
              });
    }
    try {
      CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // some did not stop in time: killed below
    }
    List<String> killed = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      ProcessHandle handle = handles.get(i);
      if (handle.isAlive()) {
        handle.destroyForcibly();
        killed.add(handle.pid() + "");
      }
    }
    for (CompletableFuture<ProcessHandle> exit : exits) {
      exit.completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
    }
    return killed;
  }

  /** Returns whether Kafka at {@code bootstrap} answers a metadata request within the timeout. */
  static boolean reachable(KafkaSettings kafka, Duration timeout) {
    try (Admin admin =
        Admin.create(
            kafka.clientConfig(
                Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())))) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void ensurePortFree(int port, String what) {
    if (!portFree(port)) {
      throw new CliException(
          "port "
              + port
              + " on 127.0.0.1, needed by "
              + what
              + ", is already in use; "
              + "stop what uses it or pick another with --port (or PIPELINE_KAFKA_PORT)");
    }
  }

  private ManagedProcess launch(
      String name,
      int index,
      Path jar,
      Map<String, String> env,
      List<String> args,
      List<String> jvmOptions,
      int httpPort) {
    try {
      Files.createDirectories(layout.logs());
      Files.createDirectories(layout.sharedArchives());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + layout.home(), e);
    }
    Path log =
        layout
            .logs()
            .resolve(
                index == 0 && name.equals("local-kafka")
                    ? "local-kafka.log"
                    : name + "-" + index + ".log");
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    List<String> options = new ArrayList<>(jvmOptions);
    options.addAll(commonJvmOptions());
    List<String> command = new ArrayList<>(options);
    command.addAll(
        new ServiceJvmCache(layout.sharedArchives(), javaCommand)
            .options(name, index, jar, options));
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    try {
      Process process = startJvm(layout, name, command, env, log);
      long started =
          process
              .info()
              .startInstant()
              .map(Instant::toEpochMilli)
              .orElse(System.currentTimeMillis());
      return new ManagedProcess(
          name,
          index,
          process.pid(),
          started,
          log.toString(),
          httpPort,
          ManagedProcess.startTicksSinceBoot(process.pid()));
    } catch (IOException e) {
      throw new CliException("cannot start " + name + ": " + e.getMessage());
    }
  }

  /**
   * Starts a JVM of this JDK with {@code arguments} and {@code env}, in a session of its own (no
   * Ctrl-C of the terminal reaches it), in the repository, its output appended to {@code log} after
   * a line saying so.
   */
  static Process startJvm(
      Layout layout, String name, List<String> arguments, Map<String, String> env, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      command.add("/usr/bin/setsid"); // which execs the JVM in place: the pid is the JVM's
    }
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(arguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(layout.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "---- " + Instant.now() + " starting " + name + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    return builder.start();
  }

  /**
   * The serial collector (small heaps, no collector threads on a small machine); what a service
   * keeps between runs is {@link ServiceJvmCache}'s.
   */
  static List<String> commonJvmOptions() {
    List<String> options =
        new ArrayList<>(List.of("-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"));
    if (Runtime.version().feature() >= 24) {
      options.add("--sun-misc-unsafe-memory-access=allow");
    }
    return options;
  }

  static String name(ManagedProcess process) {
    return process.service().equals("local-kafka")
        ? "local-kafka"
        : process.service() + "#" + process.index();
  }

  /** Returns the end of a log (its last 64 KiB): enough to find a start-up line or an error. */
  static String readLog(Path log) {
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, file.length() - 64 * 1024);
      byte[] bytes = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      int run = text.lastIndexOf("---- ");
      return run < 0 ? text : text.substring(run);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The line of this start's log (after the last {@code ----} marker) that says why the process
   * died: its own one-line error ({@code SERVICE: reason}) when it printed one, else its last line,
   * which the JVM's own words at exit (an AOT cache recorded) would otherwise hide.
   */
  static String whyItExited(String log, String service) {
    List<String> lines = new ArrayList<>();
    for (String line : log.lines().toList()) {
      if (line.startsWith("----")) {
        lines.clear();
      } else if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).startsWith(service + ": ")) {
        return lines.get(i);
      }
    }
    return lines.isEmpty() ? "(nothing logged)" : lines.get(lines.size() - 1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 130);
    }
  }
}

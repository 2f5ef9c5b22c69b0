package dev.pipeline.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real CLI jar as a child process with its own PIPELINE_HOME and broker port, the way a
 * person runs {@code bin/pipeline}.
 */
final class CliProcess {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** What a run printed and how it exited. */
  record Result(int exit, String out, String err) {}

  private final Path home;
  private final int port;
  private final Map<String, String> env = new HashMap<>();

  CliProcess(Path home) throws IOException {
    this.home = home;
    this.port = freePortPair();
  }

  int port() {
    return port;
  }

  Path home() {
    return home;
  }

  /** Sets an environment variable for every later run. */
  CliProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Result run(String... args) throws Exception {
    return runIn(ROOT, args);
  }

  /** Runs {@code pipeline ARGS} with {@code directory} as its working directory. */
  Result runIn(Path directory, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dpipeline.root=" + ROOT,
                "-jar",
                ROOT.resolve("pipeline-cli/target/pipeline-cli.jar").toString()));
    command.addAll(List.of(args));
    return execute(command, directory, home, environment());
  }

  /**
   * Runs {@code bin/pipeline ARGS} in {@code directory}, with this CLI's environment and
   * PIPELINE_NO_BUILD (stale jars fail the test instead of rebuilding).
   */
  Result script(Path directory, String... args) throws Exception {
    return execute(scriptCommand(args), directory, home, environment());
  }

  /** Starts {@code bin/pipeline ARGS} in {@code directory}; its output goes to out and err. */
  Process startScript(Path directory, Path out, Path err, String... args) throws IOException {
    return builder(scriptCommand(args), directory, home, environment())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
  }

  private static List<String> scriptCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/pipeline").toString()));
    command.addAll(List.of(args));
    return command;
  }

  /**
   * The variables of every run, the jar's and the script's alike: the resident CLI that 'up' starts
   * takes commands only from callers with its PIPELINE_* variables.
   */
  private Map<String, String> environment() {
    Map<String, String> all = new HashMap<>(env);
    all.put("PIPELINE_KAFKA_PORT", String.valueOf(port));
    all.put("PIPELINE_NO_BUILD", "1");
    return all;
  }

  /**
   * Runs {@code command} in {@code directory} with {@code PIPELINE_HOME} set to {@code home} (where
   * its output is kept too) and {@code env}, and waits up to 300 s for it.
   */
  static Result execute(List<String> command, Path directory, Path home, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder = builder(command, directory, home, env);
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(300, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static ProcessBuilder builder(
      List<String> command, Path directory, Path home, Map<String, String> env) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().put("PIPELINE_HOME", home.toString());
    builder.environment().putAll(env);
    return builder;
  }

  /** A free port whose successor is free too: the broker takes both (controller). */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate;
      try (ServerSocket socket = new ServerSocket(0)) {
        candidate = socket.getLocalPort();
      }
      if (candidate < 65000 && Supervisor.portFree(candidate + 1)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no two free ports in a row");
  }
}

package dev.pipeline.cli;

import java.nio.file.Path;

/**
 * Who runs the current command: this process, or a {@code bin/pipeline} whose command the resident
 * CLI runs for it ({@link ResidentCli}). A command resolves relative paths against {@link #dir()}
 * rather than this JVM's working directory, asks {@link #terminal()} rather than {@code
 * System.console()}, and hands its Ctrl-C handling to {@link #onInterrupt} rather than to a
 * shutdown hook; its output goes to {@code System.out} and {@code System.err}, which the resident
 * CLI points at its caller for the length of a command (it runs one at a time).
 *
 * @param dir the caller's working directory, absolute
 * @param terminal whether the caller's stderr is a terminal (progress lines are drawn only there)
 * @param interrupts where Ctrl-C handlers go
 */
record Caller(Path dir, boolean terminal, Interrupts interrupts) {
  /** Takes a command's Ctrl-C handler: run once, on a thread of its own, when the user stops it. */
  interface Interrupts {
    void add(Runnable handler);
  }

  /** This process: its own directory and terminal, and a JVM shutdown hook for Ctrl-C. */
  static final Caller PROCESS =
      new Caller(
          Path.of("").toAbsolutePath(),
          System.console() != null,
          handler -> Runtime.getRuntime().addShutdownHook(new Thread(handler, "interrupt")));

  private static volatile Caller current = PROCESS;

  static Caller current() {
    return current;
  }

  /** Set by the resident CLI around each command it runs. */
  static void set(Caller caller) {
    current = caller;
  }

  /** {@code path} as this caller means it: relative paths are relative to its directory. */
  Path resolve(Path path) {
    return dir.resolve(path);
  }

  void onInterrupt(Runnable handler) {
    interrupts.add(handler);
  }
}

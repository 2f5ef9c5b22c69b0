package dev.pipeline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Tells {@code bin/pipeline} that a run which records a command's start-up cache (JDK 25+, {@code
 * -Dpipeline.aot.recording}) did the command's work: it ended well, with failures found (1), or was
 * stopped (Ctrl-C). A run refused at the start (a typo, a missing file: 2 and up) loaded too few of
 * its classes to teach the cache, and the script drops its recording so that the next run records
 * again.
 */
final class AotRecording {
  /** The exit code of a run stopped before its command returned (Ctrl-C). */
  private static final int STOPPED = -1;

  private static volatile int exit = STOPPED;

  private AotRecording() {}

  /** When this run records, leaves the mark at its exit, by the code given to {@link #exit}. */
  static void markAtExit() {
    String recording = System.getProperty("pipeline.aot.recording");
    if (recording != null) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> mark(recording, exit), "aot-recording"));
    }
  }

  static void exit(int code) {
    exit = code;
  }

  private static void mark(String recording, int exit) {
    if (exit == 0 || exit == 1 || exit == 130 || exit == STOPPED) {
      try {
        Files.writeString(Path.of(recording + ".ok"), "");
      } catch (IOException | InvalidPathException e) {
        // Then the next run records again.
      }
    }
  }
}

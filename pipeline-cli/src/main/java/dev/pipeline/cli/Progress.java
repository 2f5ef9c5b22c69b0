package dev.pipeline.cli;

import java.util.Locale;

/**
 * A progress line on stderr, redrawn at most a few times a second, only when stderr is a terminal.
 */
final class Progress {
  private final String verb;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final boolean terminal = System.console() != null;
  private long lastDrawNanos;

  Progress(String verb, long total) {
    this.verb = verb;
    this.total = total;
  }

  void update(long done) {
    long now = System.nanoTime();
    if (!terminal || now - lastDrawNanos < 200_000_000L) {
      return;
    }
    lastDrawNanos = now;
    double seconds = (now - startNanos) / 1e9;
    System.err.printf(
        Locale.ROOT,
        "\r%s %,d / %,d (%.0f%%), %,.0f/s   ",
        verb,
        done,
        total,
        100.0 * done / total,
        done / seconds);
  }

  void done(long done) {
    if (terminal) {
      System.err.print("\r" + " ".repeat(70) + "\r");
    }
  }
}

package dev.pipeline.cli;

import java.util.Locale;

/** A progress line on stderr, redrawn a few times a second, only when stderr is a terminal. */
final class Progress {
  private final String verb;
  private final long total;
  private final boolean terminal = Caller.current().terminal();
  private long lastDrawNanos;

  /**
   * @param total the expected count, or 0 when unknown
   */
  Progress(String verb, long total) {
    this.verb = verb;
    this.total = total;
  }

  void update(long done, double seconds) {
    if (due()) {
      String of =
          total > 0
              ? String.format(Locale.ROOT, " / %,d (%.0f%%)", total, 100.0 * done / total)
              : "";
      draw(
          String.format(
              Locale.ROOT, "%s %,d%s, %,.0f/s", verb, done, of, done / Math.max(seconds, 1e-9)));
    }
  }

  /** Whether a redraw is due: on a terminal, at most five a second. */
  boolean due() {
    long now = System.nanoTime();
    if (!terminal || now - lastDrawNanos < 200_000_000L) {
      return false;
    }
    lastDrawNanos = now;
    return true;
  }

  /** Redraws the line with {@code text}. */
  void draw(String text) {
    System.err.print("\r" + text + "   ");
  }

  void done() {
    if (terminal) {
      System.err.print("\r" + " ".repeat(72) + "\r");
    }
  }
}

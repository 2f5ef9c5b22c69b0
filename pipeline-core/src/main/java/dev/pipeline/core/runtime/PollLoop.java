package dev.pipeline.core.runtime;

/** One consumer and its poll thread. */
interface PollLoop extends Runnable {
  /** Asks the loop to stop fetching, finish or hand back its in-flight work, commit and leave. */
  void stop();

  /** Whether the loop ended because something went wrong that a restart should repair. */
  boolean failed();
}

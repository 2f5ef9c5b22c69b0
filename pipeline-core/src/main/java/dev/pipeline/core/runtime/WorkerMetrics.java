package dev.pipeline.core.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters of one worker process. Thread-safe: jobs finish on many threads.
 *
 * <p>Latency is from the moment a record is taken from Kafka to the moment its job is done.
 */
public final class WorkerMetrics {
  private final LongAdder processed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  // Microseconds, up to an hour, 2 significant digits: a few KB of memory.
  private final Recorder latency = new Recorder(TimeUnit.HOURS.toMicros(1), 2);
  private Histogram interval = latency.getIntervalHistogram();

  void started() {
    inFlight.incrementAndGet();
  }

  void processed(long startNanos) {
    processed(1, startNanos);
  }

  /** Counts {@code count} jobs done together (a stored batch), all taken at {@code startNanos}. */
  void processed(int count, long startNanos) {
    processed.add(count);
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
    latency.recordValueWithCount(Math.min(micros, TimeUnit.HOURS.toMicros(1)), count);
  }

  void retried() {
    retried.increment();
  }

  void failed() {
    failed.increment();
  }

  void deadLettered() {
    deadLettered.increment();
  }

  void ended() {
    inFlight.decrementAndGet();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Returns the counters, with latency percentiles of the jobs done since the previous call. Meant
   * for one reporter.
   */
  public synchronized Snapshot snapshot() {
    interval = latency.getIntervalHistogram(interval);
    return new Snapshot(
        processed.sum(),
        failed.sum(),
        retried.sum(),
        deadLettered.sum(),
        inFlight.get(),
        interval.getValueAtPercentile(50) / 1000.0,
        interval.getValueAtPercentile(99) / 1000.0,
        interval.getMaxValue() / 1000.0);
  }

  /** Counters at one moment; latencies in milliseconds over the last interval. */
  public record Snapshot(
      long processed,
      long failed,
      long retried,
      long deadLettered,
      int inFlight,
      double p50Ms,
      double p99Ms,
      double maxMs) {}
}

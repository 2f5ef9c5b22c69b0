package dev.pipeline.cli;

import dev.pipeline.core.runtime.Publisher;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * One publishing run of the CLI: sends at an optional rate, counts what Kafka acknowledged, shows a
 * progress line, and on Ctrl-C stops sending, flushes what is in flight and reports what was
 * acknowledged.
 */
final class PublishRun implements Sender {
  private final String what;
  private final long total;
  private final Publisher publisher;
  private final double rate;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  // The first failure's reason, for the summary.
  private final AtomicReference<@Nullable String> error = new AtomicReference<>();
  private volatile boolean interrupted;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Progress progress;
  private final long startNanos = System.nanoTime();

  /**
   * @param total how many will be sent, or 0 when unknown (a followed file)
   * @param rate records per second, 0 for as fast as Kafka takes them
   */
  PublishRun(String what, long total, Publisher publisher, double rate) {
    this.what = what;
    this.total = total;
    this.publisher = publisher;
    this.rate = rate;
    this.progress = new Progress("sent", total);
    Caller.current()
        .onInterrupt(
            () -> {
              interrupted = true;
              try {
                finished.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  /** Whether Ctrl-C (or SIGTERM) asked the run to stop. */
  boolean interrupted() {
    return interrupted;
  }

  /** Sends one record, waiting first if that would go faster than the rate. */
  @Override
  public CompletableFuture<?> send(String topic, String key, Object message) {
    pace();
    return count(publisher.publish(topic, key, message), acked);
  }

  /** Sends a record already encoded, at the rate. */
  CompletableFuture<?> sendEncoded(ProducerRecord<byte[], byte[]> record) {
    pace();
    return count(publisher.send(record), acked);
  }

  private void pace() {
    long n = sent.getAndIncrement();
    if (rate > 0) {
      long due = startNanos + (long) (n * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  @Override
  public CompletableFuture<?> sendRaw(ProducerRecord<byte[], byte[]> record) {
    return count(publisher.send(record), deadLettered);
  }

  @Override
  public void flush() {
    publisher.flush();
  }

  private CompletableFuture<?> count(CompletableFuture<?> send, AtomicLong done) {
    send.whenComplete(
        (metadata, e) -> {
          if (e == null) {
            done.incrementAndGet();
          } else {
            failed.incrementAndGet();
            error.compareAndSet(null, String.valueOf(e.getMessage()));
          }
        });
    progress.update(acked.get(), (System.nanoTime() - startNanos) / 1e9);
    return send;
  }

  /** Flushes, prints the summary line and returns the exit code: 0, or 1 if any record failed. */
  int finish() {
    publisher.flush();
    progress.done();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s %,d %s in %.1f s (%,.0f/s)%s%s.%n",
        interrupted ? "Interrupted: Kafka acknowledged" : "Published",
        acked.get(),
        what,
        seconds,
        acked.get() / Math.max(seconds, 1e-9),
        total > 0 && interrupted ? " of " + String.format(Locale.ROOT, "%,d", total) : "",
        failed.get() == 0 ? "" : "; " + failed.get() + " failed: " + error.get());
    System.out.flush();
    finished.countDown();
    return failed.get() == 0 && !interrupted ? 0 : (failed.get() > 0 ? 1 : 130);
  }
}

package dev.pipeline.core.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs jobs: a virtual thread each, at most {@code concurrency} at once, or a fixed pool of
 * platform threads.
 */
final class JobPool implements AutoCloseable {
  private final ExecutorService executor;
  // Bounds virtual threads; null for the CPU pool, whose thread count is the bound.
  private final @org.jspecify.annotations.Nullable Semaphore permits;

  JobPool(PoolKind kind, int concurrency, String name) {
    if (kind == PoolKind.VIRTUAL) {
      executor =
          Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-job-", 0).factory());
      permits = new Semaphore(concurrency);
    } else {
      executor = Executors.newFixedThreadPool(concurrency, platformThreads(name));
      permits = null;
    }
  }

  void execute(Runnable job) {
    if (permits == null) {
      executor.execute(job);
      return;
    }
    executor.execute(
        () -> {
          permits.acquireUninterruptibly();
          try {
            job.run();
          } finally {
            permits.release();
          }
        });
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  private static ThreadFactory platformThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-cpu-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}

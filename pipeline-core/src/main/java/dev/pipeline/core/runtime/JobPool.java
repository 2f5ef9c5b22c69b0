package dev.pipeline.core.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs jobs, a virtual thread each, at most {@code concurrency} at once. A job that needs a core
 * for long (hashing a file) hands that work to a pool of platform threads of its own service.
 */
final class JobPool implements AutoCloseable {
  private final ExecutorService executor;
  private final Semaphore permits;

  JobPool(int concurrency, String name) {
    executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-job-", 0).factory());
    permits = new Semaphore(concurrency);
  }

  void execute(Runnable job) {
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
}

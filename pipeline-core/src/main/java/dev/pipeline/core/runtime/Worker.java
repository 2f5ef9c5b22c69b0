package dev.pipeline.core.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume-process loop every service runs: polls its topics, decodes and validates each record
 * into a {@code T}, runs the handler on a bounded pool, retries retriable failures with backoff,
 * dead-letters the rest, commits (consumer group) or acknowledges (share group) only what is done,
 * pauses fetching when too much is in flight, and drains on stop.
 *
 * <pre>{@code
 * try (Publisher publisher = new Publisher(kafka, Map.of())) {
 *   Worker<HashJob> worker = new Worker<>(settings, HashJob.class, handler, publisher);
 *   System.exit(worker.runUntilShutdown());
 * }
 * }</pre>
 */
public final class Worker<T> {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final WorkerSettings settings;
  private final Class<T> type;
  // Exactly one of handler (a job per record) and sink (a batch per poll) is set.
  private final @Nullable JobHandler<T> handler;
  private final @Nullable BatchSink<T> sink;
  private final Publisher publisher;
  private final WorkerMetrics metrics = new WorkerMetrics();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<PollLoop> loops = new ArrayList<>();
  private volatile boolean stopRequested;

  public Worker(
      WorkerSettings settings, Class<T> type, JobHandler<T> handler, Publisher publisher) {
    this.settings = requireNonNull(settings, "settings == null");
    this.type = requireNonNull(type, "type == null");
    this.handler = requireNonNull(handler, "handler == null");
    this.sink = null;
    this.publisher = requireNonNull(publisher, "publisher == null");
  }

  /**
   * Returns a worker that writes its records to {@code sink} in batches, with the offsets in the
   * same transaction (consumer groups only): a poll's records, joined by the polls that arrive
   * while the batch before is being written.
   */
  public Worker(WorkerSettings settings, Class<T> type, BatchSink<T> sink, Publisher publisher) {
    this.settings = requireNonNull(settings, "settings == null");
    if (settings.model() != ConsumptionModel.GROUP) {
      throw new IllegalArgumentException(
          "a batch sink needs a consumer group, not " + settings.model());
    }
    this.type = requireNonNull(type, "type == null");
    this.handler = null;
    this.sink = requireNonNull(sink, "sink == null");
    this.publisher = requireNonNull(publisher, "publisher == null");
  }

  public WorkerMetrics metrics() {
    return metrics;
  }

  /**
   * Runs until {@link #stop()} or until every poll loop has ended; returns 0 after a clean stop, 1
   * if a loop failed.
   */
  public int run() {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(daemon(settings.service() + "-scheduler"));
    boolean failed = false;
    try (JobPool pool = new JobPool(settings.concurrency(), settings.service())) {
      RetryPolicy retryPolicy =
          new RetryPolicy(settings.maxAttempts(), settings.initialBackoff(), settings.maxBackoff());
      DeadLetterWriter deadLetters = new DeadLetterWriter(publisher, settings.service());
      JobRunner<T> runner =
          handler == null
              ? null
              : new JobRunner<>(type, handler, pool, scheduler, retryPolicy, deadLetters, metrics);
      if (settings.model() == ConsumptionModel.SHARE) {
        ShareGroups.configure(settings);
      }
      List<Thread> threads = new ArrayList<>();
      synchronized (loops) {
        if (stopRequested) {
          return 0;
        }
        for (int i = 0; i < settings.consumers(); i++) {
          PollLoop loop =
              runner != null
                  ? newLoop(runner, i)
                  : new BatchLoop<>(
                      new KafkaConsumer<>(
                          groupConfig(i, 5000),
                          new ByteArrayDeserializer(),
                          new ByteArrayDeserializer()),
                      type,
                      requireNonNull(sink),
                      deadLetters,
                      retryPolicy,
                      metrics,
                      settings);
          loops.add(loop);
          threads.add(Thread.ofPlatform().name(settings.service() + "-poll-" + i).start(loop));
        }
      }
      scheduler.scheduleAtFixedRate(this::report, 10, 10, TimeUnit.SECONDS);
      log.info(
          "{} ready: consuming {} as {} group '{}' with {} consumer(s), {}",
          settings.service(),
          settings.topics(),
          settings.model().name().toLowerCase(java.util.Locale.ROOT),
          settings.group(),
          settings.consumers(),
          sink != null ? "storing in batches" : settings.concurrency() + " job slot(s)");
      for (Thread thread : threads) {
        thread.join();
      }
      synchronized (loops) {
        failed = loops.stream().anyMatch(PollLoop::failed);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed = true;
    } finally {
      scheduler.shutdownNow();
      publisher.flush();
      report();
      stopped.countDown();
    }
    return failed ? 1 : 0;
  }

  /**
   * Runs until SIGTERM or Ctrl-C, then drains: stops fetching, finishes in-flight jobs within the
   * shutdown timeout, commits, and leaves the group. Returns the exit code for {@code main}.
   */
  public int runUntilShutdown() {
    Thread hook =
        new Thread(
            () -> {
              log.info(
                  "Stopping {}: finishing in-flight jobs (up to {})",
                  settings.service(),
                  settings.shutdownTimeout());
              stop();
              awaitStopped(settings.shutdownTimeout().plusSeconds(15));
            },
            settings.service() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return run();
  }

  /** Asks every poll loop to stop; {@link #run()} returns once they have drained. */
  public void stop() {
    synchronized (loops) {
      stopRequested = true;
      loops.forEach(PollLoop::stop);
    }
  }

  /** Waits until {@link #run()} has returned, or the timeout passes; returns whether it has. */
  public boolean awaitStopped(Duration timeout) {
    try {
      return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private PollLoop newLoop(JobRunner<T> runner, int index) {
    if (settings.model() == ConsumptionModel.SHARE) {
      Map<String, Object> clientConfig = settings.kafka().clientConfig(Map.of());
      clientConfig.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
      clientConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(index));
      clientConfig.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
      // Take no more than max.poll.records, so a busy consumer does not hoard jobs others could
      // run. That is the in-flight limit (the hasher's --batch): large for tiny jobs, where each
      // poll's round trips and acknowledgements cost more than the jobs (it was capped at 500).
      clientConfig.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
      clientConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxInFlight());
      return new ShareLoop(
          new KafkaShareConsumer<>(
              clientConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
          runner,
          settings);
    }
    return new GroupLoop(
        new KafkaConsumer<>(
            groupConfig(index, settings.maxInFlight()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer()),
        runner,
        settings,
        handler instanceof PartitionListener listener ? listener : PartitionListener.NONE);
  }

  private Map<String, Object> groupConfig(int index, int maxPollRecords) {
    Map<String, Object> config = settings.kafka().clientConfig(Map.of());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(index));
    config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    return config;
  }

  private String clientId(int index) {
    return settings.service() + "-" + ProcessHandle.current().pid() + "-" + index;
  }

  private long lastProcessed;
  private long lastReportNanos = System.nanoTime();

  private synchronized void report() {
    WorkerMetrics.Snapshot s = metrics.snapshot();
    long now = System.nanoTime();
    double rate = (s.processed() - lastProcessed) * 1e9 / Math.max(1, now - lastReportNanos);
    lastProcessed = s.processed();
    lastReportNanos = now;
    log.info(
        "processed={} rate={}/s in-flight={} retried={} failed={} dead-lettered={} latency p50={}ms p99={}ms",
        s.processed(),
        Math.round(rate),
        s.inFlight(),
        s.retried(),
        s.failed(),
        s.deadLettered(),
        String.format(java.util.Locale.ROOT, "%.1f", s.p50Ms()),
        String.format(java.util.Locale.ROOT, "%.1f", s.p99Ms()));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}

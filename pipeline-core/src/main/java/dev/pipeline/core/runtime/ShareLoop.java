package dev.pipeline.core.runtime;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A share-group poll loop in explicit acknowledgement mode. Each record of a poll is handed to the
 * runner; as jobs finish, the poll thread acknowledges them (ACCEPT, or REJECT once dead-lettered)
 * and commits. The share consumer refuses the next poll until every record of the last one is
 * acknowledged, so a process runs several of these loops to keep its pool busy.
 *
 * <p>A record whose delivery count has reached the group's limit was handed out that many times
 * without finishing (its workers died, hung or outlived the lock): it is dead-lettered with that
 * reason instead of tried a last time, so it ends in our dead-letter format rather than archived by
 * the broker in silence.
 *
 * <p>Locks are not renewed (KIP-1222 RENEW): with the 4.4 consumer, the poll after a renewal
 * returns the renewed partition's next records twice and then refuses to poll again. The group's
 * lock duration is set to fit the longest job instead ({@link WorkerSettings#lockDuration()}).
 */
final class ShareLoop implements PollLoop {
  private static final Logger log = LoggerFactory.getLogger(ShareLoop.class);
  private static final long COMMIT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long ACK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final ShareConsumer<byte[], byte[]> consumer;
  private final JobRunner<?> runner;
  private final WorkerSettings settings;
  private volatile boolean running = true;
  private volatile boolean failed;

  private record Ack(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {}

  ShareLoop(ShareConsumer<byte[], byte[]> consumer, JobRunner<?> runner, WorkerSettings settings) {
    this.consumer = consumer;
    this.runner = runner;
    this.settings = settings;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(settings.topics());
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(settings.pollTimeout());
        } catch (WakeupException e) {
          continue;
        }
        if (!records.isEmpty()) {
          process(records);
        }
      }
    } catch (RuntimeException e) {
      failed = true;
      log.error("Share poll loop of {} failed", settings.group(), e);
    } finally {
      consumer.close(Duration.ofSeconds(10));
    }
  }

  private void process(ConsumerRecords<byte[], byte[]> records) {
    // Finished jobs queue up without waking this thread for each one (a wake-up per job costs more
    // than a tiny job); it looks every few milliseconds, and is woken when the last job ends.
    Queue<Ack> finished = new ConcurrentLinkedQueue<>();
    AtomicInteger remaining = new AtomicInteger(records.count());
    Thread pollThread = Thread.currentThread();
    java.util.Set<ConsumerRecord<byte[], byte[]>> unfinished =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      unfinished.add(record);
      int deliveries = record.deliveryCount().map(Short::intValue).orElse(1);
      CompletableFuture<JobRunner.Outcome> job =
          deliveries >= settings.maxDeliveries()
              ? runner.deadLetter(
                  record,
                  new DeliveryLimitException(
                      "delivered "
                          + deliveries
                          + " times without finishing (the workers that took it died, hung or"
                          + " held it longer than the group's lock); not tried again"),
                  deliveries)
              : runner.run(record, deliveries, () -> running);
      job.whenComplete(
          (outcome, error) -> {
            if (error != null) {
              // The dead letter could not be written: hand the record back rather than lose it.
              log.error("Stopping: {}", error.getMessage(), error);
              failed = true;
              running = false;
              finished.add(new Ack(record, AcknowledgeType.RELEASE));
              LockSupport.unpark(pollThread);
            } else {
              finished.add(
                  new Ack(
                      record,
                      switch (outcome) {
                        case PROCESSED -> AcknowledgeType.ACCEPT;
                        case DEAD_LETTERED -> AcknowledgeType.REJECT;
                        case ABANDONED -> AcknowledgeType.RELEASE;
                      }));
              if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(pollThread);
              }
            }
          });
    }
    long stopDeadline = Long.MAX_VALUE;
    long lastCommit = System.nanoTime();
    while (!unfinished.isEmpty()) {
      Ack ack = finished.poll();
      if (ack == null) {
        LockSupport.parkNanos(ACK_WAIT_NANOS);
        if (Thread.interrupted()) {
          running = false;
        }
        ack = finished.poll();
      }
      if (ack != null) {
        acknowledge(ack.record(), ack.type(), unfinished);
        Ack more;
        while ((more = finished.poll()) != null) {
          acknowledge(more.record(), more.type(), unfinished);
        }
        // The next poll carries the acknowledgements of a batch that ends now; a long batch
        // commits what is done every so often, so those records are not held until it ends.
        if (!unfinished.isEmpty() && System.nanoTime() - lastCommit > COMMIT_EVERY_NANOS) {
          consumer.commitAsync();
          lastCommit = System.nanoTime();
        }
        continue;
      }
      if (!running && stopDeadline == Long.MAX_VALUE) {
        stopDeadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
      }
      if (System.nanoTime() > stopDeadline) {
        log.warn(
            "{} job(s) still running after {}; releasing them for redelivery",
            unfinished.size(),
            settings.shutdownTimeout());
        for (ConsumerRecord<byte[], byte[]> record : java.util.List.copyOf(unfinished)) {
          acknowledge(record, AcknowledgeType.RELEASE, unfinished);
        }
      }
    }
  }

  private void acknowledge(
      ConsumerRecord<byte[], byte[]> record,
      AcknowledgeType type,
      java.util.Set<ConsumerRecord<byte[], byte[]>> unfinished) {
    if (unfinished.remove(record)) {
      consumer.acknowledge(record, type);
    }
  }

  @Override
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public boolean failed() {
    return failed;
  }
}

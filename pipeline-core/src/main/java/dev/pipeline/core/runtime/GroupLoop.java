package dev.pipeline.core.runtime;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer-group poll loop. Hands each record to the runner, commits per partition only up to the
 * oldest record still in flight, pauses fetching when too much is in flight, and on a rebalance or
 * stop waits for the partitions' in-flight records before committing them.
 */
final class GroupLoop implements PollLoop {
  private static final Logger log = LoggerFactory.getLogger(GroupLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final JobRunner<?> runner;
  private final WorkerSettings settings;
  private final PartitionListener listener;
  // Replaced on every assignment; job threads hold the tracker they started with.
  private final Map<TopicPartition, OffsetTracker> trackers = new ConcurrentHashMap<>();
  private final Object idle = new Object();
  private int inFlight; // guarded by idle
  private volatile boolean running = true;
  private volatile boolean failed;
  private boolean paused;
  private long nextCommitNanos;
  private Map<TopicPartition, OffsetAndMetadata> lastCommitted = Map.of();

  GroupLoop(
      Consumer<byte[], byte[]> consumer,
      JobRunner<?> runner,
      WorkerSettings settings,
      PartitionListener listener) {
    this.consumer = consumer;
    this.runner = runner;
    this.settings = settings;
    this.listener = listener;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(settings.topics(), new Rebalance());
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : poll()) {
          dispatch(record);
        }
        applyBackpressure();
        commitIfDue();
      }
      drain();
    } catch (RuntimeException e) {
      failed = true;
      log.error("Poll loop of {} failed", settings.group(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
    }
  }

  private Iterable<ConsumerRecord<byte[], byte[]>> poll() {
    if (paused) {
      // A paused consumer's poll would sleep its whole timeout; wait for room instead, so
      // fetching resumes as soon as half the jobs in flight are done.
      awaitRoom();
      applyBackpressure();
    }
    try {
      return consumer.poll(paused ? Duration.ZERO : settings.pollTimeout());
    } catch (WakeupException e) {
      return java.util.List.of();
    }
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    OffsetTracker tracker = trackers.computeIfAbsent(partition, p -> new OffsetTracker());
    tracker.started(record.offset());
    synchronized (idle) {
      inFlight++;
    }
    runner
        .run(record, 1, () -> tracker.begin(record.offset()))
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                // The dead letter could not be written: leave the offset uncommitted and stop, so
                // the
                // record is processed again after a restart instead of being lost.
                log.error("Stopping: {}", error.getMessage(), error);
                failed = true;
                stop();
                tracker.abandoned(record.offset());
              } else if (outcome == JobRunner.Outcome.ABANDONED) {
                tracker.abandoned(record.offset());
              } else {
                tracker.finished(record.offset());
              }
              synchronized (idle) {
                inFlight--;
                idle.notifyAll();
              }
            });
  }

  private void awaitRoom() {
    long deadline = System.nanoTime() + settings.pollTimeout().toNanos();
    synchronized (idle) {
      while (inFlight > settings.maxInFlight() / 2 && running) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          idle.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void applyBackpressure() {
    int current;
    synchronized (idle) {
      current = inFlight;
    }
    if (!paused && current >= settings.maxInFlight()) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && current <= settings.maxInFlight() / 2) {
      consumer.resume(consumer.assignment());
      paused = false;
    }
  }

  private void commitIfDue() {
    long now = System.nanoTime();
    if (now < nextCommitNanos) {
      return;
    }
    nextCommitNanos = now + settings.commitInterval().toNanos();
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(trackers.keySet());
    if (offsets.isEmpty() || offsets.equals(lastCommitted)) {
      return;
    }
    lastCommitted = offsets;
    consumer.commitAsync(
        offsets,
        (committed, error) -> {
          if (error != null) {
            lastCommitted = Map.of(); // try again next interval
            log.warn("Commit failed; will retry: {}", error.toString());
          }
        });
  }

  private Map<TopicPartition, OffsetAndMetadata> committable(
      Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      OffsetTracker tracker = trackers.get(partition);
      OptionalLong offset = tracker == null ? OptionalLong.empty() : tracker.committable();
      if (offset.isPresent()) {
        offsets.put(partition, new OffsetAndMetadata(offset.getAsLong()));
      }
    }
    return offsets;
  }

  /**
   * Stops fetching, lets jobs already begun finish (up to the shutdown timeout) while jobs not yet
   * begun are abandoned, and commits what is done.
   */
  private void drain() {
    consumer.pause(consumer.assignment());
    listener.revoking(consumer.assignment());
    long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
    synchronized (idle) {
      while (inFlight > 0 && System.nanoTime() < deadline) {
        try {
          idle.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (inFlight > 0) {
        log.warn(
            "{} job(s) still running after {}; they will be redone by the next owner",
            inFlight,
            settings.shutdownTimeout());
      }
    }
    commitSync(trackers.keySet());
  }

  private void commitSync(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      log.warn(
          "Final commit failed; records after the last commit will be processed again: {}",
          e.toString());
    }
  }

  @Override
  public void stop() {
    running = false;
    trackers.values().forEach(OffsetTracker::revoke);
    consumer.wakeup();
  }

  @Override
  public boolean failed() {
    return failed;
  }

  /** Runs on the poll thread, inside poll(). */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      listener.revoking(partitions);
      long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
      partitions.stream()
          .map(trackers::get)
          .filter(java.util.Objects::nonNull)
          .forEach(OffsetTracker::revoke);
      for (TopicPartition partition : partitions) {
        OffsetTracker tracker = trackers.get(partition);
        try {
          if (tracker != null && !tracker.awaitIdle(deadline)) {
            log.warn(
                "{} has {} job(s) still running at revocation; the next owner redoes them",
                partition,
                tracker.activeCount());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      commitSync(partitions);
      partitions.forEach(trackers::remove);
      lastCommitted = Map.of();
      listener.revoked(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (paused) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty()) {
        log.info("Assigned {} partition(s): {}", partitions.size(), partitions);
        listener.assigned(partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another member owns them already: committing now would be refused.
      partitions.forEach(trackers::remove);
      lastCommitted = Map.of();
      listener.revoked(partitions);
    }
  }
}

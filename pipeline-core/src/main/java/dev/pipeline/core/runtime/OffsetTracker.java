package dev.pipeline.core.runtime;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The records of one partition taken from Kafka and not yet done, so the committed offset never
 * passes one of them. Started on the poll thread, finished on job threads.
 *
 * <p>A record is <em>active</em> while a job may still run for it. An abandoned record (its
 * partition was revoked or the worker is stopping before its job began) is no longer active but
 * stays pending: it was not processed, so the commit stops before it and the next owner does it.
 */
final class OffsetTracker {
  private final TreeSet<Long> pending = new TreeSet<>();
  private long next = -1;
  private int active;
  private long maxBegun = -1;
  private boolean revoked;

  synchronized void started(long offset) {
    pending.add(offset);
    active++;
    next = Math.max(next, offset + 1);
  }

  synchronized void finished(long offset) {
    pending.remove(offset);
    active--;
    notifyAll();
  }

  synchronized void abandoned(long offset) {
    active--;
    notifyAll();
  }

  /**
   * Marks the partition as no longer ours (revoked, or the worker is stopping): from now on a job
   * that has not begun is abandoned, unless a later record of the partition has begun already.
   */
  synchronized void revoke() {
    revoked = true;
  }

  /**
   * Says whether the job of {@code offset} may begin now. After {@link #revoke()} only jobs below
   * the highest begun offset may: jobs do not begin in offset order, and a processed record must
   * never sit above an abandoned one, or the commit would stop below it and it would be redone.
   */
  synchronized boolean begin(long offset) {
    if (revoked && offset > maxBegun) {
      return false;
    }
    maxBegun = Math.max(maxBegun, offset);
    return true;
  }

  /** Returns the offset to commit: the oldest record not done, or past the newest one taken. */
  synchronized OptionalLong committable() {
    if (next < 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(pending.isEmpty() ? next : pending.first());
  }

  synchronized int activeCount() {
    return active;
  }

  /**
   * Waits until no job runs for this partition or the deadline passes; returns whether none runs.
   */
  synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    while (active > 0) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}

package dev.pipeline.crawler;

import crawlercommons.robots.BaseRobotRules;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host as this process owns it: a queue of visits run in order by one virtual thread, and the
 * politeness every request to it keeps (requests in flight, the time it may next be asked, a
 * back-off it asked for, its robots.txt). Locks rather than {@code synchronized}, so that waiting
 * virtual threads do not pin their carriers on Java 21.
 *
 * <p>Times are kept on the monotonic clock ({@link System#nanoTime}), so a wall clock that is
 * stepped or slewed (NTP) neither stalls a host nor shortens its delay; only the record handed to
 * the host's next owner, another process, is in epoch milliseconds.
 */
final class Host {
  private static final Logger log = LoggerFactory.getLogger(Host.class);
  private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long MAX_RESTORED_WAIT_MILLIS = TimeUnit.DAYS.toMillis(1);

  private final String key;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Runnable> visits = new ArrayDeque<>();
  private final Map<String, BaseRobotRules> robots = new ConcurrentHashMap<>();
  private boolean draining; // guarded by lock
  private int inFlight; // guarded by lock
  // System.nanoTime values, compared by difference; both start as "now" (no wait). Guarded by lock.
  private long nextAllowedNanos = System.nanoTime();
  private long backoffUntilNanos = nextAllowedNanos;
  private volatile long crawlDelayMs;

  Host(String key) {
    this.key = key;
  }

  String key() {
    return key;
  }

  /** Queues a visit; visits of one host run one after another, in the order they came. */
  void submit(Runnable visit) {
    lock.lock();
    try {
      visits.add(visit);
      if (!draining) {
        draining = true;
        Thread.ofVirtual().name("host-" + key).start(this::drain);
      }
    } finally {
      lock.unlock();
    }
  }

  private void drain() {
    while (true) {
      Runnable visit;
      lock.lock();
      try {
        visit = visits.poll();
        if (visit == null) {
          draining = false;
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        visit.run();
      } catch (RuntimeException e) {
        log.error("A visit of {} failed unexpectedly", key, e);
      }
    }
  }

  /**
   * Waits until a request to this host may start (fewer than {@code perHost} in flight, its next
   * allowed time and any back-off passed) and takes a slot for it; returns false without one as
   * soon as {@code givenUp} says so (the host's partition is being taken away).
   */
  boolean acquire(int perHost, long delayMs, BooleanSupplier givenUp) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (givenUp.getAsBoolean()) {
          return false;
        }
        long now = System.nanoTime();
        long allowedAt = later(nextAllowedNanos, backoffUntilNanos);
        if (inFlight < perHost && now - allowedAt >= 0) {
          inFlight++;
          // Requests in parallel (perHost > 1) still start at least the delay apart.
          nextAllowedNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
          return true;
        }
        // Wake at least every 200 ms to see whether the wait was given up.
        long wait =
            inFlight >= perHost ? MAX_WAIT_NANOS : Math.min(MAX_WAIT_NANOS, allowedAt - now);
        changed.awaitNanos(wait);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Gives the slot back; the next request waits the delay counted from now. */
  void release(long delayMs) {
    lock.lock();
    try {
      inFlight--;
      nextAllowedNanos =
          later(nextAllowedNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Keeps every request away from the host for {@code millis} from now (429, Retry-After). */
  void backOff(long millis) {
    lock.lock();
    try {
      backoffUntilNanos =
          later(backoffUntilNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
    } finally {
      lock.unlock();
    }
  }

  long crawlDelayMs() {
    return crawlDelayMs;
  }

  @Nullable BaseRobotRules robots(String agent) {
    return robots.get(agent);
  }

  void robots(String agent, BaseRobotRules rules, long crawlDelayMs) {
    robots.put(agent, rules);
    this.crawlDelayMs = Math.max(this.crawlDelayMs, crawlDelayMs);
  }

  /** The politeness to keep if another process takes this host over. */
  StateStore.HostRecord snapshot() {
    lock.lock();
    try {
      long nowNanos = System.nanoTime();
      long nowMillis = System.currentTimeMillis();
      return new StateStore.HostRecord(
          1,
          key,
          nowMillis + millisUntil(nextAllowedNanos, nowNanos),
          nowMillis + millisUntil(backoffUntilNanos, nowNanos),
          crawlDelayMs);
    } finally {
      lock.unlock();
    }
  }

  /** Takes over politeness a previous owner recorded. */
  void restore(StateStore.HostRecord record) {
    lock.lock();
    try {
      long nowNanos = System.nanoTime();
      long nowMillis = System.currentTimeMillis();
      nextAllowedNanos =
          later(nextAllowedNanos, nowNanos + nanosUntil(record.nextAllowedAt(), nowMillis));
      backoffUntilNanos =
          later(backoffUntilNanos, nowNanos + nanosUntil(record.backoffUntil(), nowMillis));
      crawlDelayMs = Math.max(crawlDelayMs, record.crawlDelayMs());
    } finally {
      lock.unlock();
    }
  }

  /**
   * The later of two {@link System#nanoTime} values (which may wrap, so compared by difference).
   */
  private static long later(long a, long b) {
    return a - b >= 0 ? a : b;
  }

  /** Milliseconds from {@code now} to {@code at}, rounded up so the next owner never asks early. */
  private static long millisUntil(long at, long now) {
    return Math.max(0, Math.ceilDiv(at - now, 1_000_000L));
  }

  /**
   * Nanoseconds from {@code nowMillis} to the epoch time {@code atMillis}: none if it has passed,
   * at most a day if a broken record or clock puts it further off (and nothing overflows).
   */
  private static long nanosUntil(long atMillis, long nowMillis) {
    if (atMillis <= nowMillis) {
      return 0;
    }
    return TimeUnit.MILLISECONDS.toNanos(Math.min(atMillis - nowMillis, MAX_RESTORED_WAIT_MILLIS));
  }
}

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
 */
final class Host {
  private static final Logger log = LoggerFactory.getLogger(Host.class);

  private final String key;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Runnable> visits = new ArrayDeque<>();
  private final Map<String, BaseRobotRules> robots = new ConcurrentHashMap<>();
  private boolean draining; // guarded by lock
  private int inFlight; // guarded by lock
  private long nextAllowedAt; // epoch ms, guarded by lock
  private long backoffUntil; // epoch ms, guarded by lock
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
        long now = System.currentTimeMillis();
        long allowedAt = Math.max(nextAllowedAt, backoffUntil);
        if (inFlight < perHost && now >= allowedAt) {
          inFlight++;
          // Requests in parallel (perHost > 1) still start at least the delay apart.
          nextAllowedAt = now + delayMs;
          return true;
        }
        // Wake at least every 200 ms to see whether the wait was given up.
        long wait = inFlight >= perHost ? 200 : Math.min(200, allowedAt - now);
        changed.await(wait, TimeUnit.MILLISECONDS);
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
      nextAllowedAt = Math.max(nextAllowedAt, System.currentTimeMillis() + delayMs);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Keeps every request away from the host until {@code untilMillis} (429, Retry-After). */
  void backOff(long untilMillis) {
    lock.lock();
    try {
      backoffUntil = Math.max(backoffUntil, untilMillis);
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
      return new StateStore.HostRecord(1, key, nextAllowedAt, backoffUntil, crawlDelayMs);
    } finally {
      lock.unlock();
    }
  }

  /** Takes over politeness a previous owner recorded. */
  void restore(StateStore.HostRecord record) {
    lock.lock();
    try {
      nextAllowedAt = Math.max(nextAllowedAt, record.nextAllowedAt());
      backoffUntil = Math.max(backoffUntil, record.backoffUntil());
      crawlDelayMs = Math.max(crawlDelayMs, record.crawlDelayMs());
    } finally {
      lock.unlock();
    }
  }
}

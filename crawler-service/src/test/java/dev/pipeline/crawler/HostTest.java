package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A host's politeness as it is handed to its next owner: epoch milliseconds, in and out. */
class HostTest {
  private static final long DAY = TimeUnit.DAYS.toMillis(1);

  @Test
  void theRecordSaysWhenTheDelayAfterARequestEnds() throws InterruptedException {
    Host host = new Host("127.0.0.1:80");
    assertThat(host.acquire(1, 4000, () -> false)).isTrue();
    long before = System.currentTimeMillis();
    host.release(4000);
    long after = System.currentTimeMillis();

    StateStore.HostRecord record = host.snapshot();
    assertThat(record.nextAllowedAt()).isBetween(before + 4000, after + 4001);
    assertThat(record.backoffUntil()).isLessThanOrEqualTo(System.currentTimeMillis());
  }

  @Test
  void aBackOffIsRecordedFromNow() {
    Host host = new Host("127.0.0.1:80");
    long before = System.currentTimeMillis();
    host.backOff(2000);
    long after = System.currentTimeMillis();

    assertThat(host.snapshot().backoffUntil()).isBetween(before + 2000, after + 2001);
  }

  @Test
  void theNextOwnerTakesTheRecordedTimesOver() {
    long at = System.currentTimeMillis() + 3000;
    Host heir = new Host("127.0.0.1:80");
    heir.restore(new StateStore.HostRecord(1, "127.0.0.1:80", at, at + 1000, 5000));

    StateStore.HostRecord handedOn = heir.snapshot();
    // Rounded up to the millisecond on the way out, never earlier than recorded.
    assertThat(handedOn.nextAllowedAt()).isBetween(at, at + 2);
    assertThat(handedOn.backoffUntil()).isBetween(at + 1000, at + 1002);
    assertThat(handedOn.crawlDelayMs()).isEqualTo(5000);
  }

  @Test
  void aRecordInThePastLeavesTheHostFreeAndOneFarOffWaitsAtMostADay() throws InterruptedException {
    Host old = new Host("a:80");
    old.restore(new StateStore.HostRecord(1, "a:80", 0, Long.MIN_VALUE, 0));
    assertThat(old.acquire(1, 0, () -> false)).as("free at once").isTrue();

    Host broken = new Host("b:80");
    long before = System.currentTimeMillis();
    broken.restore(new StateStore.HostRecord(1, "b:80", Long.MAX_VALUE, Long.MAX_VALUE, 0));
    StateStore.HostRecord record = broken.snapshot();
    assertThat(record.nextAllowedAt()).isBetween(before + DAY - 1000, before + DAY + 1000);
    assertThat(record.backoffUntil()).isBetween(before + DAY - 1000, before + DAY + 1000);
    assertThat(broken.acquire(1, 0, () -> true)).as("given up, not waited a day").isFalse();
  }
}

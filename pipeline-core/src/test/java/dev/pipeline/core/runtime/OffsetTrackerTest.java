package dev.pipeline.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  @Test
  void commitsNothingBeforeAnyRecordStarted() {
    assertThat(new OffsetTracker().committable()).isEmpty();
  }

  @Test
  void commitStopsAtTheOldestRecordStillInFlight() {
    OffsetTracker tracker = new OffsetTracker();
    for (long offset = 10; offset < 15; offset++) {
      tracker.started(offset);
    }
    tracker.finished(10);
    tracker.finished(12);
    tracker.finished(13);
    assertThat(tracker.committable()).hasValue(11);
    tracker.finished(11);
    assertThat(tracker.committable()).hasValue(14);
    tracker.finished(14);
    assertThat(tracker.committable()).hasValue(15);
  }

  @Test
  void abandonedRecordIsNeverCommittedPastButNoLongerActive() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(0);
    tracker.started(1);
    tracker.finished(0);
    tracker.abandoned(1);
    assertThat(tracker.activeCount()).isZero();
    assertThat(tracker.committable()).hasValue(1);
  }

  @Test
  void awaitIdleReturnsOnceActiveJobsEndOrTheDeadlinePasses() throws InterruptedException {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(0);
    assertThat(tracker.awaitIdle(System.nanoTime() + 20_000_000)).isFalse();
    Thread.ofVirtual().start(() -> tracker.finished(0));
    assertThat(tracker.awaitIdle(System.nanoTime() + 10_000_000_000L)).isTrue();
  }

  @Test
  void afterRevokeOnlyJobsBelowABegunOneMayBeginSoNoProcessedRecordSitsAboveAnAbandonedOne() {
    OffsetTracker tracker = new OffsetTracker();
    for (long offset = 0; offset < 4; offset++) {
      tracker.started(offset);
    }
    assertThat(tracker.begin(2)).isTrue(); // jobs do not begin in offset order
    tracker.revoke();
    assertThat(tracker.begin(0)).as("below a begun job: must run").isTrue();
    assertThat(tracker.begin(1)).isTrue();
    assertThat(tracker.begin(3)).as("above every begun job: abandoned").isFalse();
    tracker.finished(0);
    tracker.finished(1);
    tracker.finished(2);
    tracker.abandoned(3);
    assertThat(tracker.committable()).hasValue(3);
  }
}

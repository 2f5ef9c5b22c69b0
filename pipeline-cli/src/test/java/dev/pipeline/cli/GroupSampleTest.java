package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupSampleTest {
  private static TopicPartition logs(int partition) {
    return new TopicPartition("logs.events", partition);
  }

  private static GroupSample sample(long atNanos, Map<TopicPartition, GroupSample.Progress> done) {
    return new GroupSample("g", "consumer", "Stable", done, List.of(), atNanos);
  }

  @Test
  void partitionsAreNamedByTopicWithRunsAsRanges() {
    assertThat(
            GroupSample.describe(
                List.of(
                    logs(5),
                    logs(0),
                    logs(1),
                    logs(2),
                    logs(8),
                    logs(10),
                    logs(11),
                    new TopicPartition("hash.jobs", 3))))
        .isEqualTo("hash.jobs 3; logs.events 0-2,5,8,10-11");
    assertThat(GroupSample.describe(List.of(logs(7)))).isEqualTo("logs.events 7");
  }

  @Test
  void aMembersRateCountsOnlyItsPartitionsAndOnlyFromWhenTheyWereFirstSeen() {
    GroupSample before =
        sample(
            0,
            Map.of(
                logs(0), new GroupSample.Progress(100, 50),
                logs(1), new GroupSample.Progress(200, 0)));
    GroupSample after =
        sample(
            2_000_000_000L,
            Map.of(
                logs(0), new GroupSample.Progress(300, 10),
                logs(1), new GroupSample.Progress(260, 0),
                // New since the first sample: its 1,000 were done before, not in these 2 s.
                logs(2), new GroupSample.Progress(1000, 5)));

    assertThat(after.ratePerSecond(before, List.of(logs(0)))).isEqualTo(100.0);
    assertThat(after.ratePerSecond(before, List.of(logs(1), logs(2)))).isEqualTo(30.0);
    assertThat(after.ratePerSecond(before)).isEqualTo(130.0);
    assertThat(after.progressOf(List.of(logs(0), logs(2))))
        .isEqualTo(new GroupSample.Progress(1300, 15));
    assertThat(after.position()).isEqualTo(1560);
    assertThat(after.lag()).isEqualTo(15);
  }

  @Test
  void aMemberSharesPartitionsOnlyWhereAnotherIsAssignedOneOfThem() {
    GroupSample.Member a = new GroupSample.Member("a", "h", List.of(logs(0), logs(1)));
    GroupSample.Member b = new GroupSample.Member("b", "h", List.of(logs(1)));
    GroupSample.Member c = new GroupSample.Member("c", "h", List.of(logs(2)));
    GroupSample group = new GroupSample("g", "share", "Stable", Map.of(), List.of(a, b, c), 0);

    assertThat(group.sharesPartitions(a)).isTrue();
    assertThat(group.sharesPartitions(b)).isTrue();
    assertThat(group.sharesPartitions(c)).isFalse();
  }

  @Test
  void ourClientIdsNameTheirProcessAndConsumer() {
    GroupSample.Member ours =
        new GroupSample.Member("hasher-worker-4242-1", "/127.0.0.1", List.of(logs(0)));
    assertThat(ours.pid()).hasValue(4242);
    assertThat(ours.consumerIndex()).isEqualTo(1);

    GroupSample.Member theirs = new GroupSample.Member("console-consumer", "/10.0.0.2", List.of());
    assertThat(theirs.pid()).isEmpty();
    assertThat(theirs.consumerIndex()).isZero();
  }
}

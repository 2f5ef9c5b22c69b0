package dev.pipeline.localkafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.ShareGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;

/**
 * The broker's share-group assignor (its {@code group.share.assignors}): every member of a share
 * group gets every partition of the topics it subscribes to, so the group is one queue. An idle
 * worker takes the next jobs from whichever partition holds them; the broker still hands each
 * record to one member at a time.
 *
 * <p>Kafka's own ({@code simple}) shares a partition only when members outnumber partitions; with
 * fewer, each partition has one member, as in a consumer group. A producer batches jobs into one
 * partition at a time, so a run of a few large jobs lands in one partition and waits for its one
 * member: eight 512 MiB files were hashed one after another by one consumer while three others had
 * nothing (3.1 s; shared, 1.7 s). Many small jobs cost the same either way (measured: 20,000 files
 * and 200,000 inline jobs with two hasher processes).
 */
public final class SharedPartitionsAssignor implements ShareGroupPartitionAssignor {
  public static final String NAME = "shared-partitions";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public GroupAssignment assign(GroupSpec group, SubscribedTopicDescriber topics) {
    Map<Uuid, Set<Integer>> byTopic = new HashMap<>();
    Map<String, MemberAssignment> members = new HashMap<>();
    for (String member : group.memberIds()) {
      Map<Uuid, Set<Integer>> partitions = new HashMap<>();
      for (Uuid topic : group.memberSubscription(member).subscribedTopicIds()) {
        Set<Integer> all =
            byTopic.computeIfAbsent(topic, id -> assignablePartitions(group, topics, id));
        if (!all.isEmpty()) {
          partitions.put(topic, all);
        }
      }
      members.put(member, new Assignment(Map.copyOf(partitions)));
    }
    return new GroupAssignment(members);
  }

  // Only a partition whose share state the broker has set up may be handed out.
  private static Set<Integer> assignablePartitions(
      GroupSpec group, SubscribedTopicDescriber topics, Uuid topic) {
    return IntStream.range(0, topics.numPartitions(topic))
        .filter(p -> group.isPartitionAssignable(topic, p))
        .boxed()
        .collect(Collectors.toUnmodifiableSet());
  }

  private record Assignment(Map<Uuid, Set<Integer>> partitions) implements MemberAssignment {}
}

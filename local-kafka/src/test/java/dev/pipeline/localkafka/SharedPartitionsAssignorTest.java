package dev.pipeline.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.MemberSubscription;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.junit.jupiter.api.Test;

class SharedPartitionsAssignorTest {
  private static final Uuid JOBS = Uuid.randomUuid();
  private static final Uuid OTHER = Uuid.randomUuid();

  /** Members with their subscriptions; partition 3 of JOBS has no share state yet. */
  private record Group(Map<String, Set<Uuid>> subscriptions) implements GroupSpec {
    @Override
    public java.util.Collection<String> memberIds() {
      return subscriptions.keySet();
    }

    @Override
    public SubscriptionType subscriptionType() {
      return SubscriptionType.HETEROGENEOUS;
    }

    @Override
    public boolean isPartitionAssigned(Uuid topic, int partition) {
      return false;
    }

    @Override
    public boolean isPartitionAssignable(Uuid topic, int partition) {
      return !(topic.equals(JOBS) && partition == 3);
    }

    @Override
    public MemberSubscription memberSubscription(String member) {
      Set<Uuid> topics = subscriptions.get(member);
      return new MemberSubscription() {
        @Override
        public Optional<String> rackId() {
          return Optional.empty();
        }

        @Override
        public Optional<String> instanceId() {
          return Optional.empty();
        }

        @Override
        public Set<Uuid> subscribedTopicIds() {
          return topics;
        }
      };
    }

    @Override
    public MemberAssignment memberAssignment(String member) {
      return Map::of;
    }
  }

  private static final SubscribedTopicDescriber TOPICS =
      new SubscribedTopicDescriber() {
        @Override
        public int numPartitions(Uuid topic) {
          return topic.equals(JOBS) ? 6 : 2;
        }

        @Override
        public Set<String> racksForPartition(Uuid topic, int partition) {
          return Set.of();
        }
      };

  @Test
  void everyMemberGetsEveryAssignablePartitionOfWhatItSubscribes() {
    GroupAssignment assignment =
        new SharedPartitionsAssignor()
            .assign(
                new Group(
                    Map.of(
                        "a", Set.of(JOBS),
                        "b", Set.of(JOBS),
                        "c", Set.of(JOBS, OTHER),
                        "d", Set.of(OTHER))),
                TOPICS);

    assertThat(assignment.members()).containsOnlyKeys("a", "b", "c", "d");
    for (String member : List.of("a", "b")) {
      assertThat(assignment.members().get(member).partitions())
          .isEqualTo(Map.of(JOBS, Set.of(0, 1, 2, 4, 5)));
    }
    assertThat(assignment.members().get("c").partitions())
        .isEqualTo(Map.of(JOBS, Set.of(0, 1, 2, 4, 5), OTHER, Set.of(0, 1)));
    assertThat(assignment.members().get("d").partitions()).isEqualTo(Map.of(OTHER, Set.of(0, 1)));
  }

  @Test
  void noMembersNoAssignment() {
    assertThat(new SharedPartitionsAssignor().assign(new Group(Map.of()), TOPICS).members())
        .isEmpty();
  }
}

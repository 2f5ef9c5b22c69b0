package dev.pipeline.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;

/** Reads every consumer and share group's members, progress and lag through the Admin API. */
final class GroupStats {
  private static final long TIMEOUT_SECONDS = 15;

  private final Admin admin;

  GroupStats(Admin admin) {
    this.admin = admin;
  }

  List<GroupSample> sample() {
    try {
      Collection<GroupListing> groups =
          admin.listGroups().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<String> consumerGroups = new ArrayList<>();
      List<String> shareGroups = new ArrayList<>();
      for (GroupListing group : groups) {
        GroupType type = group.type().orElse(GroupType.UNKNOWN);
        if (type == GroupType.SHARE) {
          shareGroups.add(group.groupId());
        } else if (type == GroupType.CONSUMER || type == GroupType.CLASSIC) {
          consumerGroups.add(group.groupId());
        }
      }
      List<GroupSample> samples = new ArrayList<>();
      samples.addAll(consumerGroups(consumerGroups));
      samples.addAll(shareGroups(shareGroups));
      samples.sort(java.util.Comparator.comparing(GroupSample::group));
      return samples;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 130);
    } catch (ExecutionException | TimeoutException e) {
      throw new CliException(
          "cannot read groups from Kafka: "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
    }
  }

  private List<GroupSample> consumerGroups(List<String> groups)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (groups.isEmpty()) {
      return List.of();
    }
    Map<String, ConsumerGroupDescription> descriptions =
        admin.describeConsumerGroups(groups).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<GroupSample> samples = new ArrayList<>();
    for (String group : groups) {
      long now = System.nanoTime();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      ConsumerGroupDescription description = descriptions.get(group);
      Set<TopicPartition> partitions = new HashSet<>(committed.keySet());
      description.members().forEach(m -> partitions.addAll(m.assignment().topicPartitions()));
      Map<TopicPartition, Long> ends = endOffsets(partitions);
      Map<TopicPartition, GroupSample.Progress> progress = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = committed.get(partition);
        long done = offset == null ? 0 : offset.offset();
        progress.put(
            partition,
            new GroupSample.Progress(done, Math.max(0, ends.getOrDefault(partition, done) - done)));
      }
      samples.add(
          new GroupSample(
              group,
              "consumer",
              description.groupState().toString(),
              progress,
              description.members().stream()
                  .map(m -> member(m.clientId(), m.host(), m.assignment().topicPartitions()))
                  .toList(),
              now));
    }
    return samples;
  }

  private List<GroupSample> shareGroups(List<String> groups)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (groups.isEmpty()) {
      return List.of();
    }
    Map<String, ShareGroupDescription> descriptions =
        admin.describeShareGroups(groups).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<String, ListShareGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListShareGroupOffsetsSpec()));
    long now = System.nanoTime();
    Map<String, Map<TopicPartition, SharePartitionOffsetInfo>> offsets =
        admin.listShareGroupOffsets(specs).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<GroupSample> samples = new ArrayList<>();
    for (String group : groups) {
      Map<TopicPartition, SharePartitionOffsetInfo> partitions =
          new HashMap<>(offsets.getOrDefault(group, Map.of()));
      partitions.values().removeIf(java.util.Objects::isNull);
      Map<TopicPartition, Long> ends = endOffsets(partitions.keySet());
      Map<TopicPartition, GroupSample.Progress> progress = new HashMap<>();
      for (Map.Entry<TopicPartition, SharePartitionOffsetInfo> partition : partitions.entrySet()) {
        SharePartitionOffsetInfo info = partition.getValue();
        // Done = end minus the broker's lag (records not yet acknowledged); the start offset alone
        // trails behind acknowledged records until their whole batch is archived.
        long end = ends.getOrDefault(partition.getKey(), info.startOffset());
        long partitionLag = info.lag().orElse(Math.max(0, end - info.startOffset()));
        progress.put(
            partition.getKey(),
            new GroupSample.Progress(
                Math.max(info.startOffset(), end - partitionLag), partitionLag));
      }
      ShareGroupDescription description = descriptions.get(group);
      samples.add(
          new GroupSample(
              group,
              "share",
              description.groupState().toString(),
              progress,
              description.members().stream()
                  .map(m -> member(m.clientId(), m.host(), m.assignment().topicPartitions()))
                  .toList(),
              now));
    }
    return samples;
  }

  /** A member of either kind of group (their descriptions share no type), partitions in order. */
  private static GroupSample.Member member(
      String clientId, String host, Set<TopicPartition> assigned) {
    return new GroupSample.Member(
        clientId,
        host,
        assigned.stream()
            .sorted(
                java.util.Comparator.comparing(TopicPartition::topic)
                    .thenComparingInt(TopicPartition::partition))
            .toList());
  }

  private Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(p -> request.put(p, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
        admin.listOffsets(request).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<TopicPartition, Long> ends = new HashMap<>();
    result.forEach((partition, info) -> ends.put(partition, info.offset()));
    return ends;
  }
}

package dev.pipeline.cli;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer or share group at one moment: each partition's progress and each member's partitions.
 *
 * @param partitions the group's progress in each partition it has started
 * @param members the group's members, each with the partitions it is assigned
 */
record GroupSample(
    String group,
    String type,
    String state,
    Map<TopicPartition, Progress> partitions,
    List<Member> members,
    long atNanos) {

  /**
   * One partition's progress.
   *
   * @param done records the group has done: the committed offset (consumer group), or the end minus
   *     the records not yet acknowledged (share group)
   * @param lag records waiting
   */
  record Progress(long done, long lag) {}

  /**
   * A member: one consumer, with the client id that names its process (our services use
   * SERVICE-PID-N) and the partitions it is assigned. In a consumer group it owns them alone; a
   * share group with more members than partitions assigns a partition to several.
   */
  record Member(String clientId, String host, List<TopicPartition> assigned) {
    private static final Pattern OUR_CLIENT_ID = Pattern.compile("(.+)-(\\d+)-(\\d+)");

    Member {
      assigned = List.copyOf(assigned);
    }

    /** The pid of the process this member runs in, when its client id is one of ours. */
    OptionalLong pid() {
      Matcher m = OUR_CLIENT_ID.matcher(clientId);
      return m.matches() ? OptionalLong.of(Long.parseLong(m.group(2))) : OptionalLong.empty();
    }

    /** Which of its process's consumers this member is (0, 1, ...), when its id is one of ours. */
    int consumerIndex() {
      Matcher m = OUR_CLIENT_ID.matcher(clientId);
      return m.matches() ? Integer.parseInt(m.group(3)) : 0;
    }
  }

  GroupSample {
    partitions = Map.copyOf(partitions);
    members = List.copyOf(members);
  }

  /** Records done over all partitions. */
  long position() {
    return partitions.values().stream().mapToLong(Progress::done).sum();
  }

  /** Records waiting over all partitions. */
  long lag() {
    return partitions.values().stream().mapToLong(Progress::lag).sum();
  }

  /** Progress summed over some of the partitions (a member's). */
  Progress progressOf(Collection<TopicPartition> some) {
    long done = 0;
    long lag = 0;
    for (TopicPartition p : some) {
      Progress progress = partitions.get(p);
      if (progress != null) {
        done += progress.done();
        lag += progress.lag();
      }
    }
    return new Progress(done, lag);
  }

  /** Whether another member is assigned any of this member's partitions (share groups may). */
  boolean sharesPartitions(Member member) {
    return members.stream()
        .filter(other -> other != member)
        .anyMatch(other -> other.assigned().stream().anyMatch(member.assigned()::contains));
  }

  /** Returns records per second between an earlier sample of the same group and this one. */
  double ratePerSecond(GroupSample earlier) {
    return ratePerSecond(earlier, partitions.keySet());
  }

  /**
   * Returns records per second done in some partitions between an earlier sample and this one; a
   * partition the earlier sample had not seen counts from this sample on, so a partition that
   * changed hands during the interval is not counted twice or from zero.
   */
  double ratePerSecond(GroupSample earlier, Collection<TopicPartition> some) {
    double seconds = (atNanos - earlier.atNanos) / 1e9;
    if (seconds <= 0) {
      return 0;
    }
    long done = 0;
    for (TopicPartition p : some) {
      Progress now = partitions.get(p);
      Progress before = earlier.partitions.get(p);
      if (now != null && before != null) {
        done += Math.max(0, now.done() - before.done());
      }
    }
    return done / seconds;
  }

  /** Names partitions compactly by topic, with runs as ranges: {@code logs.events 0-5,8}. */
  static String describe(Collection<TopicPartition> partitions) {
    Map<String, TreeSet<Integer>> byTopic = new TreeMap<>();
    partitions.forEach(
        p -> byTopic.computeIfAbsent(p.topic(), t -> new TreeSet<>()).add(p.partition()));
    StringBuilder out = new StringBuilder();
    byTopic.forEach(
        (topic, numbers) -> {
          if (!out.isEmpty()) {
            out.append("; ");
          }
          out.append(topic).append(' ');
          Integer start = null;
          Integer previous = null;
          for (int n : numbers) {
            if (previous != null && n == previous + 1) {
              previous = n;
              continue;
            }
            if (start != null) {
              appendRun(out, start, previous);
              out.append(',');
            }
            start = n;
            previous = n;
          }
          appendRun(out, start, previous);
        });
    return out.toString();
  }

  private static void appendRun(StringBuilder out, int start, int end) {
    out.append(start);
    if (end > start) {
      out.append('-').append(end);
    }
  }
}

package dev.pipeline.core.topic;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates topics that do not exist yet; existing ones are left as they are. Safe to run from many
 * processes at once.
 */
public final class TopicCatalog {
  private static final Logger log = LoggerFactory.getLogger(TopicCatalog.class);

  private TopicCatalog() {}

  /**
   * Creates each topic of {@code specs} that is missing, with the broker's default replication
   * factor, and returns the names it created.
   */
  public static List<String> ensure(Admin admin, List<TopicSpec> specs) {
    List<NewTopic> topics =
        specs.stream()
            .map(
                spec ->
                    new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty())
                        .configs(spec.configs()))
            .toList();
    Map<String, org.apache.kafka.common.KafkaFuture<Void>> results =
        admin.createTopics(topics).values();
    List<String> created = new java.util.ArrayList<>();
    for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> result : results.entrySet()) {
      try {
        result.getValue().get(60, TimeUnit.SECONDS);
        created.add(result.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create topic " + result.getKey() + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "creating topic " + result.getKey() + " timed out; is the broker reachable?", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating topics", e);
      }
    }
    if (!created.isEmpty()) {
      log.info("Created topics {}", created);
    }
    return List.copyOf(created);
  }

  /**
   * Returns which of {@code names} the cluster does not have, so a client can say so at once
   * instead of blocking on a producer's metadata wait for each record.
   *
   * @throws IllegalStateException if the cluster does not answer within {@code wait}
   */
  public static List<String> missing(Admin admin, Collection<String> names, Duration wait) {
    try {
      Set<String> existing =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs((int) wait.toMillis()))
              .names()
              .get(wait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      return names.stream().filter(name -> !existing.contains(name)).distinct().toList();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not answer within " + wait.toSeconds() + " s; is the broker running?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    }
  }
}

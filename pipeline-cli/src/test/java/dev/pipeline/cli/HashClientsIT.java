package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.testing.SampleResults;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kafka clients of hash commands, made per command or kept by the resident CLI. */
@ExtendWith(KafkaBrokerExtension.class)
class HashClientsIT {
  @AfterEach
  void keepNothing() {
    HashClients.keepBetweenCommands(false);
  }

  @Test
  void keptOnlyWhenTheyServedWellAndEachCommandReadsFromItsOwnStart(TestBroker broker)
      throws Exception {
    String bootstrap = broker.bootstrapServers();
    new Topic(bootstrap, Topics.HASH_JOBS).create(2);
    new Topic(bootstrap, Topics.HASH_RESULTS).create(2);
    new Topic(bootstrap, Topics.deadLetter(Topics.HASH_JOBS)).create(1);
    KafkaSettings kafka = KafkaSettings.resolve(bootstrap, Map.of(), Map.of());

    // A command in a JVM of its own closes what it made, even when it served well.
    HashClients own;
    try (HashClients clients = HashClients.open(kafka, true)) {
      clients.served();
      own = clients;
    }
    assertThat(publishes(own.publisher())).isFalse();

    HashClients.keepBetweenCommands(true);
    HashClients kept;
    try (HashClients clients = HashClients.open(kafka, true)) {
      clients.served();
      kept = clients;
    }
    assertThat(publishes(kept.publisher())).isTrue();
    try (HashClients clients = HashClients.open(kafka, true)) {
      assertThat(clients).isSameAs(kept);
    } // not served: closed
    assertThat(publishes(kept.publisher())).isFalse();

    try (HashClients first = HashClients.open(kafka, true)) {
      assertThat(first).isNotSameAs(kept);
      publishResult(first.publisher(), "first");
      assertThat(await(first.outcomes(), "first")).containsExactly("first");
      first.served();
      kept = first;
    }
    publishResult(kept.publisher(), "between");
    try (HashClients next = HashClients.open(kafka, true)) {
      assertThat(next).isSameAs(kept);
      publishResult(next.publisher(), "next");
      // Read from where this command opened them: not the result published in between.
      assertThat(await(next.outcomes(), "between", "next")).containsExactly("next");
      next.served();
    }

    // Other settings (another cluster, other properties): new clients; the kept ones are closed.
    KafkaSettings other = KafkaSettings.resolve(bootstrap, Map.of("client.id", "other"), Map.of());
    try (HashClients clients = HashClients.open(other, false)) {
      assertThat(clients).isNotSameAs(kept);
      assertThat(publishes(clients.publisher())).isTrue();
    }
    assertThat(publishes(kept.publisher())).isFalse();

    // The kept reader's topic went away (a broker reset under the resident CLI): the next command
    // gets new clients, which say what is wrong in one line, and the kept ones are closed.
    try (HashClients clients = HashClients.open(kafka, true)) {
      clients.served();
      kept = clients;
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.deleteTopics(List.of(Topics.HASH_RESULTS)).all().get(30, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> HashClients.open(kafka, true))
        .isInstanceOf(CliException.class)
        .hasMessage("topic hash.results does not exist; start the pipeline (bin/pipeline up)");
    assertThat(publishes(kept.publisher())).isFalse();
  }

  /** The ids of the outcomes read within a few seconds. */
  private static List<String> await(HashOutcomes outcomes, String... jobIds) {
    List<String> seen = new ArrayList<>();
    outcomes.awaitAll(
        Set.of(jobIds), Duration.ofSeconds(3), () -> false, outcome -> seen.add(outcome.jobId()));
    return seen;
  }

  private static void publishResult(Publisher publisher, String jobId) throws Exception {
    publisher
        .publish(Topics.HASH_RESULTS, jobId, SampleResults.of(jobId))
        .get(10, TimeUnit.SECONDS);
  }

  /** Whether the publisher still sends (a closed producer refuses). */
  private static boolean publishes(Publisher publisher) {
    try {
      publishResult(publisher, "probe");
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}

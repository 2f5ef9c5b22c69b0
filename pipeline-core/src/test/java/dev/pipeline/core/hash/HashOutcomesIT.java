package dev.pipeline.core.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.testing.SampleResults;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.core.topic.Topics;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reader of a run's outcomes, on a broker that has the pipeline's topics only once made. */
@ExtendWith(KafkaBrokerExtension.class)
class HashOutcomesIT {
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

  @Test
  void opensOnlyWhereTheTopicsAreAndReadsWhatCameAfter(TestBroker broker) throws Exception {
    String bootstrap = broker.bootstrapServers();
    KafkaSettings kafka = KafkaSettings.resolve(bootstrap, Map.of(), Map.of());
    // Its check of the topics is the only one a publisher of jobs makes.
    assertThatThrownBy(() -> new HashOutcomes(kafka, ANSWER_WITHIN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic hash.jobs does not exist; start the pipeline (bin/pipeline up)");
    new Topic(bootstrap, Topics.HASH_JOBS).create(2);
    assertThatThrownBy(() -> new HashOutcomes(kafka, ANSWER_WITHIN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic hash.results does not exist; start the pipeline (bin/pipeline up)");
    Topic results = new Topic(bootstrap, Topics.HASH_RESULTS).create(2);
    new Topic(bootstrap, Topics.deadLetter(Topics.HASH_JOBS)).create(1);
    results.send(List.of("before"), List.of(result("before")));

    try (HashOutcomes outcomes = new HashOutcomes(kafka, ANSWER_WITHIN)) {
      results.send(List.of("after", "someone-else"), List.of(result("after"), result("x")));
      List<HashOutcomes.Outcome> seen = new ArrayList<>();
      Set<String> pending =
          outcomes.awaitAll(
              Set.of("before", "after"), Duration.ofSeconds(3), () -> false, seen::add);

      assertThat(pending).containsExactly("before");
      assertThat(seen).extracting(HashOutcomes.Outcome::jobId).containsExactly("after");
      assertThat(seen.get(0).result().digests()).containsEntry("SHA-256", "ab".repeat(32));

      // Kept for another run, it starts again at the ends: what came between is not read.
      results.send(List.of("between"), List.of(result("between")));
      outcomes.startAtEnd();
      results.send(List.of("next"), List.of(result("next")));
      seen.clear();
      pending =
          outcomes.awaitAll(
              Set.of("between", "next"), Duration.ofSeconds(3), () -> false, seen::add);

      assertThat(pending).containsExactly("between");
      assertThat(seen).extracting(HashOutcomes.Outcome::jobId).containsExactly("next");
    }
  }

  private static String result(String jobId) {
    return new String(
        MessageCodec.standard().encode(SampleResults.of(jobId)), StandardCharsets.UTF_8);
  }
}

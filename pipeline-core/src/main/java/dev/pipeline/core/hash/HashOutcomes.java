package dev.pipeline.core.hash;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.DeadLetter;
import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads what became of a run's jobs: their results on {@code hash.results}, or their dead letters
 * on {@code hash.jobs.dlq}. Created before the jobs are published, so it starts at the topics' ends
 * and never scans old runs; it reads Kafka directly, so it needs no consumer-service.
 */
public final class HashOutcomes implements AutoCloseable {
  private static final MessageCodec CODEC = MessageCodec.standard();

  /**
   * What became of one job: its result as JSON (decoded only when asked: counting outcomes needs no
   * JSON, and producer-service passes the bytes on as they are), or the reason it failed before any
   * worker could hash it (dead-lettered, or refused on the way in).
   */
  public record Outcome(String jobId, byte @Nullable [] resultJson, @Nullable String failure) {
    public @Nullable HashResult result() {
      return resultJson == null ? null : CODEC.decode(resultJson, HashResult.class);
    }
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final Duration answerWithin;

  /**
   * Positions at the ends of both topics, once Kafka has shown it holds them and {@code hash.jobs}:
   * a caller that publishes jobs needs no other check (an Admin client of its own costs a short
   * command a fifth of a second).
   *
   * @throws IllegalStateException when a topic does not exist
   * @throws org.apache.kafka.common.errors.TimeoutException when Kafka does not answer within
   *     {@code answerWithin}
   */
  public HashOutcomes(KafkaSettings kafka, Duration answerWithin) {
    this.answerWithin = answerWithin;
    Map<String, Object> config = kafka.clientConfig(Map.of());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    // A broker answers a connection's requests one at a time, so a fetch waiting at the broker for
    // results holds back the next request on it: a kept reader's start at the ends (the resident
    // CLI's next command) waited for the last command's fetch, 0.3-0.4 s with Kafka's 500 ms wait.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    // Asking for a topic must not create it on a broker that would (Kafka's default).
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      // One metadata request a topic: the jobs' topic must exist, the results' too, and this
      // reads the results and the dead letters.
      String deadLetters = Topics.deadLetter(Topics.HASH_JOBS);
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(Topics.HASH_JOBS, Topics.HASH_RESULTS, deadLetters)) {
        List<PartitionInfo> found = consumer.partitionsFor(topic, answerWithin);
        if (found.isEmpty() && !topic.equals(deadLetters)) {
          throw new IllegalStateException(
              "topic " + topic + " does not exist; start the pipeline (bin/pipeline up)");
        }
        if (!topic.equals(Topics.HASH_JOBS)) {
          found.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
      }
      consumer.assign(partitions);
      startAtEnd();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Moves to the topics' ends now, so a reader kept for another run (the resident CLI's) reads only
   * what comes after; call it before that run's first job is published. Records fetched and not yet
   * handed out are dropped.
   *
   * @throws org.apache.kafka.common.errors.TimeoutException when Kafka does not answer within the
   *     time given to the constructor
   */
  public void startAtEnd() {
    consumer.seekToEnd(consumer.assignment());
    // Fixes the start before the jobs go out.
    consumer.assignment().forEach(partition -> consumer.position(partition, answerWithin));
  }

  /**
   * Waits for an outcome of every job in {@code jobIds} (the first one of a job counts; a job
   * redelivered after a worker died may have two), handing each to {@code onOutcome}; returns the
   * jobs still without one when {@code stop} says so (asked between polls) or {@code timeout} has
   * passed.
   */
  public Set<String> awaitAll(
      Set<String> jobIds, Duration timeout, BooleanSupplier stop, Consumer<Outcome> onOutcome) {
    Set<String> pending = new HashSet<>(jobIds);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty() && !stop.getAsBoolean() && System.nanoTime() < deadline) {
      for (Outcome outcome : poll(pending, Duration.ofMillis(200))) {
        if (pending.remove(outcome.jobId())) {
          onOutcome.accept(outcome);
        }
      }
    }
    return pending;
  }

  private List<Outcome> poll(Set<String> pending, Duration timeout) {
    List<Outcome> outcomes = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      if (record.key() == null || !pending.contains(record.key())) {
        continue;
      }
      if (record.topic().equals(Topics.HASH_RESULTS)) {
        outcomes.add(new Outcome(record.key(), record.value(), null));
      } else {
        Header reason = record.headers().lastHeader(DeadLetter.REASON);
        outcomes.add(
            new Outcome(
                record.key(),
                null,
                reason == null
                    ? "dead-lettered"
                    : "dead-lettered: " + new String(reason.value(), StandardCharsets.UTF_8)));
      }
    }
    return outcomes;
  }

  /**
   * Closes without waiting: this consumer is in no group and commits nothing, so there is nothing
   * to finish, and waiting would only sit out the fetch in flight (up to {@code fetch.max.wait.ms},
   * half a second at the end of every run).
   */
  @Override
  public void close() {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }
}

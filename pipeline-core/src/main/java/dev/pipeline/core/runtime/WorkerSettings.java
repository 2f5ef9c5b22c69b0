package dev.pipeline.core.runtime;

import static java.util.Objects.requireNonNull;

import dev.pipeline.core.config.KafkaSettings;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a worker consumes and processes: validated when built.
 *
 * <pre>{@code
 * WorkerSettings settings = WorkerSettings.builder("hasher-worker", kafka)
 *     .group("hasher").topics(Topics.HASH_JOBS).model(ConsumptionModel.SHARE)
 *     .build();
 * }</pre>
 *
 * @param service the service name written into dead letters and logs
 * @param concurrency jobs run at once, each on a virtual thread (a job that needs a core hands its
 *     work to a pool of its own)
 * @param maxInFlight records taken from Kafka and not yet done; past it the worker pauses fetching
 * @param consumers Kafka consumers in this process, each with its own poll thread
 * @param maxAttempts tries of a job that fails with a retriable error before it is dead-lettered
 * @param maxDeliveries share groups: deliveries of a record (the group's delivery count limit); the
 *     last one is dead-lettered instead of tried
 * @param lockDuration share groups: how long a worker holds a record (the group's record lock
 *     duration); must fit the longest job and the broker's {@code
 *     group.share.max.record.lock.duration.ms}
 * @param shutdownTimeout how long stopping waits for in-flight jobs before handing them back
 */
public record WorkerSettings(
    String service,
    KafkaSettings kafka,
    String group,
    List<String> topics,
    ConsumptionModel model,
    int concurrency,
    int maxInFlight,
    int consumers,
    int maxAttempts,
    int maxDeliveries,
    Duration lockDuration,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration shutdownTimeout,
    Duration commitInterval,
    Duration pollTimeout) {

  public WorkerSettings {
    requireNonNull(service, "service == null");
    requireNonNull(kafka, "kafka == null");
    requireNonNull(group, "group == null");
    topics = List.copyOf(topics);
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("a worker needs at least one topic");
    }
    requireNonNull(model, "model == null");
    positive("concurrency", concurrency);
    positive("maxInFlight", maxInFlight);
    positive("consumers", consumers);
    positive("maxAttempts", maxAttempts);
    if (maxDeliveries < 2 || maxDeliveries > 10) {
      // The broker's default bounds for share.delivery.count.limit.
      throw new IllegalArgumentException("maxDeliveries must be 2-10: " + maxDeliveries);
    }
    positive("lockDuration", lockDuration);
    positive("initialBackoff", initialBackoff);
    positive("maxBackoff", maxBackoff);
    positive("shutdownTimeout", shutdownTimeout);
    positive("commitInterval", commitInterval);
    positive("pollTimeout", pollTimeout);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1: " + value);
    }
  }

  private static void positive(String name, Duration value) {
    requireNonNull(value, name + " == null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  /** Returns a builder with defaults for an I/O-bound consumer-group worker. */
  public static Builder builder(String service, KafkaSettings kafka) {
    return new Builder(service, kafka);
  }

  /** Builds {@link WorkerSettings}; every setter has a sensible default except group and topics. */
  public static final class Builder {
    private final String service;
    private final KafkaSettings kafka;
    private @Nullable String group;
    private List<String> topics = List.of();
    private ConsumptionModel model = ConsumptionModel.GROUP;
    private int concurrency;
    private int maxInFlight;
    private int consumers = 1;
    private int maxAttempts = 5;
    private int maxDeliveries = 5;
    private Duration lockDuration = Duration.ofSeconds(30);
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration shutdownTimeout = Duration.ofSeconds(20);
    private Duration commitInterval = Duration.ofSeconds(1);
    private Duration pollTimeout = Duration.ofMillis(200);

    private Builder(String service, KafkaSettings kafka) {
      this.service = requireNonNull(service, "service == null");
      this.kafka = requireNonNull(kafka, "kafka == null");
    }

    public Builder group(String group) {
      this.group = requireNonNull(group, "group == null");
      return this;
    }

    public Builder topics(String... topics) {
      this.topics = List.of(topics);
      return this;
    }

    public Builder model(ConsumptionModel model) {
      this.model = requireNonNull(model, "model == null");
      return this;
    }

    /** Jobs at once; 0 keeps the default (256). */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Records in flight before fetching pauses; 0 keeps the default (4 × concurrency, at least
     * 500).
     */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    public Builder consumers(int consumers) {
      this.consumers = consumers;
      return this;
    }

    public Builder retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Deliveries of a share-group record before it is dead-lettered (2-10, default 5). */
    public Builder maxDeliveries(int maxDeliveries) {
      this.maxDeliveries = maxDeliveries;
      return this;
    }

    /** How long a share-group worker holds a record (default 30 s, Kafka's default). */
    public Builder lockDuration(Duration lockDuration) {
      this.lockDuration = lockDuration;
      return this;
    }

    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    public WorkerSettings build() {
      if (group == null) {
        throw new IllegalStateException("group is required");
      }
      int jobs = concurrency > 0 ? concurrency : 256;
      int inFlight = maxInFlight > 0 ? maxInFlight : Math.max(500, 4 * jobs);
      return new WorkerSettings(
          service,
          kafka,
          group,
          topics,
          model,
          jobs,
          inFlight,
          consumers,
          maxAttempts,
          maxDeliveries,
          lockDuration,
          initialBackoff,
          maxBackoff,
          shutdownTimeout,
          commitInterval,
          pollTimeout);
    }
  }
}

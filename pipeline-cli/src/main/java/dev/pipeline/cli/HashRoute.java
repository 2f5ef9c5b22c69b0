package dev.pipeline.cli;

import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.message.HashJob;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Where {@code pipeline hash} sends its jobs and hears what became of them: through a running
 * producer-service ({@link ServiceHashRoute}), whose Kafka clients are compiled and connected, or
 * straight to Kafka from this process ({@link KafkaHashRoute}).
 */
interface HashRoute extends AutoCloseable {
  /** Names the route for the user: where the jobs went. */
  String description();

  void submit(HashJob job);

  /**
   * Ends the submission once every job is sent.
   *
   * @return the jobs that were not taken, with the reason
   */
  Map<String, String> finish();

  /** Waits as {@link HashOutcomes#awaitAll} does. */
  Set<String> awaitAll(
      Set<String> jobIds,
      Duration timeout,
      BooleanSupplier stop,
      Consumer<HashOutcomes.Outcome> onOutcome);

  /** Unblocks a wait from another thread (Ctrl-C); the wait then returns what is pending. */
  void cancel();

  @Override
  void close();
}

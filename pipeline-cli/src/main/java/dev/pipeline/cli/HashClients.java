package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.runtime.Publisher;
import org.jspecify.annotations.Nullable;

/**
 * The Kafka clients a command publishes hash jobs with and reads their outcomes with. A command in
 * a JVM of its own makes them and closes them as it ends. The resident CLI keeps them for its next
 * command ({@link #keepBetweenCommands}): making a producer and a consumer and fetching their
 * metadata is most of what a short {@code pipeline hash} costs it, and the broker too (new
 * connections, metadata, offsets).
 *
 * <p>Clients are kept only once a command has said they served it without a failure ({@link
 * #served}), and only for the same Kafka settings; the resident CLI runs one command at a time, so
 * at most one set is in use, and one kept.
 */
final class HashClients implements AutoCloseable {
  private static boolean keeping;
  private static @Nullable HashClients kept;

  private final KafkaSettings kafka;
  private final Publisher publisher;
  private @Nullable HashOutcomes outcomes;
  private boolean served;

  private HashClients(KafkaSettings kafka) {
    this.kafka = kafka;
    this.publisher = new Publisher(kafka, Publisher.UNORDERED_JOBS);
  }

  /**
   * Whether from now on clients that served a command well serve the next one too (the resident
   * CLI); turned off, the kept clients are closed.
   */
  static synchronized void keepBetweenCommands(boolean keep) {
    keeping = keep;
    if (!keep && kept != null) {
      kept.closeClients();
      kept = null;
    }
  }

  /**
   * Clients for {@code kafka}: those kept from the last command, or new ones. With {@code waiting},
   * its reader of outcomes starts at the topics' ends now, before any job is published.
   *
   * @throws CliException when the topics do not exist or Kafka does not answer
   */
  static HashClients open(KafkaSettings kafka, boolean waiting) {
    HashClients reused = takeKept(kafka);
    if (reused != null) {
      try {
        return reused.ready(waiting);
      } catch (RuntimeException e) {
        // The broker went away or changed since the last command: new clients say what is wrong.
        reused.closeClients();
      }
    }
    HashClients clients = new HashClients(kafka);
    try {
      return clients.ready(waiting);
    } catch (RuntimeException e) {
      clients.closeClients();
      throw e;
    }
  }

  /** The kept clients if they are for {@code kafka}; kept ones for other settings are closed. */
  private static synchronized @Nullable HashClients takeKept(KafkaSettings kafka) {
    HashClients found = kept;
    kept = null;
    if (found != null && !found.kafka.equals(kafka)) {
      found.closeClients();
      return null;
    }
    return found;
  }

  /** Starts the reader of outcomes at the topics' ends now, for a command that waits. */
  private HashClients ready(boolean waiting) {
    if (!waiting) {
      return this;
    }
    if (outcomes == null) {
      outcomes = KafkaHashRoute.outcomes(kafka); // starts at the ends as it opens
    } else {
      outcomes.startAtEnd();
    }
    return this;
  }

  Publisher publisher() {
    return publisher;
  }

  /** The reader of outcomes; only for clients opened {@code waiting}. */
  HashOutcomes outcomes() {
    if (outcomes == null) {
      throw new IllegalStateException("these clients were opened without waiting");
    }
    return outcomes;
  }

  /**
   * Every job was taken and the outcomes were read without an error (a wait that Ctrl-C or its
   * timeout ended counts): the clients may serve the next command. Not said (a job refused, an
   * exception), they are closed.
   */
  void served() {
    served = true;
  }

  /** Keeps the clients for the next command where this process does and they served well. */
  @Override
  public void close() {
    synchronized (HashClients.class) {
      if (keeping && served && kept == null) {
        served = false;
        kept = this;
        return;
      }
    }
    closeClients();
  }

  private void closeClients() {
    try (publisher) {
      if (outcomes != null) {
        outcomes.close();
      }
    }
  }
}

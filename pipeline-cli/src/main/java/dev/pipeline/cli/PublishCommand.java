package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Publishes test work onto the pipeline's topics.",
    subcommands = PublishCommand.Hash.class)
final class PublishCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Resolves the cluster: --bootstrap, else the running local pipeline's. */
  static KafkaSettings kafka(String bootstrap) {
    String cluster =
        bootstrap != null
            ? bootstrap
            : new LocalPipeline(Layout.detect(), System.err).requireRunning().bootstrap();
    return KafkaSettings.resolve(cluster, Map.of(), System.getenv());
  }

  @Command(
      name = "hash",
      mixinStandardHelpOptions = true,
      description = {
        "Publishes hash jobs of random strings (inline text) onto hash.jobs.",
        "Each is acknowledged by Kafka (acks=all) before it counts as published."
      })
  static final class Hash implements Callable<Integer> {
    @Option(names = "--strings", required = true, paramLabel = "N", description = "How many jobs.")
    long count;

    @Option(
        names = "--length",
        defaultValue = "32",
        description = "Characters per string (default ${DEFAULT-VALUE}).")
    int length;

    @Option(
        names = "--bootstrap",
        paramLabel = "HOST:PORT",
        description = "Kafka to publish to (default: the local pipeline's).")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
      if (count < 1) {
        throw new CliException("--strings must be at least 1: " + count);
      }
      if (length < 1 || length > HashJob.MAX_INLINE_BYTES) {
        throw new CliException("--length must be 1-" + HashJob.MAX_INLINE_BYTES + ": " + length);
      }
      KafkaSettings kafka = kafka(bootstrap);
      AtomicLong acked = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      String run = UUID.randomUUID().toString().substring(0, 8);
      long start = System.nanoTime();
      Progress progress = new Progress("published", count);
      try (Publisher publisher = new Publisher(kafka, Map.of())) {
        Instant now = Instant.now();
        for (long i = 0; i < count; i++) {
          String id = "strings-" + run + "-" + i;
          HashJob job =
              new HashJob(
                  1,
                  id,
                  new HashJob.Source(HashJob.Kind.TEXT, randomString(length)),
                  List.of("SHA-256"),
                  null,
                  now);
          publisher
              .publish(Topics.HASH_JOBS, id, job)
              .whenComplete((m, e) -> (e == null ? acked : failed).incrementAndGet());
          progress.update(acked.get());
        }
        publisher.flush();
      }
      progress.done(acked.get());
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "Published %,d hash jobs in %.1f s (%,.0f jobs/s)%s.%n",
          acked.get(),
          seconds,
          acked.get() / seconds,
          failed.get() == 0 ? "" : "; " + failed.get() + " failed");
      return failed.get() == 0 ? 0 : 1;
    }

    private static String randomString(int length) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      StringBuilder text = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      return text.toString();
    }
  }
}

package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Publishes test work onto the pipeline's topics.",
    subcommands = {PublishCommand.Logs.class, PublishCommand.Hash.class})
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

  static String runId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = {
        "Publishes generated log events onto logs.events.",
        "Realistic events (services, hosts, a level mix, request lines, latencies, trace ids), keyed",
        "by source so each source's order is kept. Ctrl-C flushes what is in flight and reports what",
        "Kafka acknowledged."
      })
  static final class Logs implements Callable<Integer> {
    @Option(names = "--count", required = true, paramLabel = "N", description = "How many events.")
    long count;

    @Option(
        names = "--rate",
        defaultValue = "0",
        paramLabel = "R",
        description = "Events per second; 0 is as fast as Kafka takes them (default).")
    double rate;

    @Option(
        names = "--sources",
        split = ",",
        defaultValue = "api,auth,billing,search,worker",
        description = "Services the events come from (default ${DEFAULT-VALUE}).")
    List<String> sources;

    @Option(
        names = "--error-ratio",
        defaultValue = "0.02",
        paramLabel = "X",
        description = "Share of ERROR events, 0-1 (default ${DEFAULT-VALUE}).")
    double errorRatio;

    @Option(
        names = "--bootstrap",
        paramLabel = "HOST:PORT",
        description = "Kafka to publish to (default: the local pipeline's).")
    String bootstrap;

    @Option(
        names = "--topic",
        defaultValue = Topics.LOG_EVENTS,
        description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() {
      if (count < 1) {
        throw new CliException("--count must be at least 1: " + count);
      }
      if (rate < 0) {
        throw new CliException("--rate must be 0 or more: " + rate);
      }
      LogGenerator generator = new LogGenerator(sources, errorRatio, "gen-" + runId());
      try (Publisher publisher = new Publisher(kafka(bootstrap), Map.of())) {
        PublishRun run = new PublishRun("log events", count, publisher, rate);
        for (long i = 0; i < count && !run.interrupted(); i++) {
          LogEvent event = generator.next();
          run.send(topic, event.source(), event);
        }
        return run.finish();
      }
    }
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
    public Integer call() {
      if (count < 1) {
        throw new CliException("--strings must be at least 1: " + count);
      }
      if (length < 1 || length > HashJob.MAX_INLINE_BYTES) {
        throw new CliException("--length must be 1-" + HashJob.MAX_INLINE_BYTES + ": " + length);
      }
      String run = runId();
      try (Publisher publisher = new Publisher(kafka(bootstrap), Map.of())) {
        PublishRun publishing = new PublishRun("hash jobs", count, publisher, 0);
        Instant now = Instant.now();
        for (long i = 0; i < count && !publishing.interrupted(); i++) {
          String id = "strings-" + run + "-" + i;
          HashJob job =
              new HashJob(
                  1,
                  id,
                  new HashJob.Source(HashJob.Kind.TEXT, randomString(length)),
                  List.of("SHA-256"),
                  null,
                  now);
          publishing.send(Topics.HASH_JOBS, id, job);
        }
        return publishing.finish();
      }
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

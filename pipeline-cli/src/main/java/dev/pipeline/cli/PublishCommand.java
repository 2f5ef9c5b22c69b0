package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.hash.HashOutcomes;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.LogLines;
import dev.pipeline.core.runtime.DeadLetter;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  /** Returns a short random id that names one run's jobs. */
  static String runId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = {
        "Publishes log events onto logs.events: generated, or read from a file.",
        "Generated events (--count) are realistic (services, hosts, a level mix, request lines, latencies, trace ids). A file (--file) is tailed like Filebeat does: --follow keeps reading through appends, rotation and truncation, and the position is remembered in .pipeline/tail/ so a restart neither repeats nor skips a line; '-' reads standard input. Lines that cannot be read go to logs.events.dlq with the reason. Events are keyed by source, so each source keeps its order. Ctrl-C flushes what is in flight and reports what Kafka acknowledged."
      })
  static final class Logs implements Callable<Integer> {
    @Option(names = "--count", paramLabel = "N", description = "Generate this many events.")
    Long count;

    @Option(
        names = "--file",
        paramLabel = "PATH",
        description = "Publish the lines of this file ('-' for standard input).")
    Path file;

    @Option(names = "--follow", description = "With --file: keep reading new lines until Ctrl-C.")
    boolean follow;

    @Option(
        names = "--format",
        defaultValue = "json",
        description = "With --file: json, plain, nginx or syslog (default ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = "--service",
        description =
            "With --file: the service for plain and nginx lines (default: the file's name).")
    String service;

    @Option(
        names = "--rate",
        defaultValue = "0",
        paramLabel = "R",
        description =
            "With --count: events per second; 0 is as fast as Kafka takes them (default).")
    double rate;

    @Option(
        names = "--sources",
        split = ",",
        defaultValue = LogGenerator.DEFAULT_SOURCES,
        description =
            "With --count: services the events come from, six hosts each (default ${DEFAULT-VALUE}).")
    List<String> sources;

    @Option(
        names = "--error-ratio",
        defaultValue = "0.02",
        paramLabel = "X",
        description = "With --count: share of ERROR events, 0-1 (default ${DEFAULT-VALUE}).")
    double errorRatio;

    @Mixin ClusterOption cluster;

    @Option(
        names = "--topic",
        defaultValue = Topics.LOG_EVENTS,
        description = "Topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws Exception {
      if ((count == null) == (file == null)) {
        throw new CliException("give either --count N (generated events) or --file PATH");
      }
      if (rate < 0) {
        throw new CliException("--rate must be 0 or more: " + rate);
      }
      if (count != null) {
        return generate();
      }
      LogLines.Format lineFormat = parseFormat(format);
      String fileName =
          file.toString().equals("-") || file.getFileName() == null
              ? "stdin"
              : file.getFileName().toString();
      String source = service != null ? service : fileName.replaceFirst("\\.[^.]*$", "");
      // Lines that cannot be read go to the topic's dead-letter topic.
      try (Publisher publisher = new Publisher(cluster.kafka(topic, topic + ".dlq"), Map.of())) {
        PublishRun run = new PublishRun("log events", 0, publisher, 0);
        if (file.toString().equals("-")) {
          return readStandardInput(run, lineFormat, source);
        }
        if (!Files.isRegularFile(file)) {
          throw new CliException("no such file: " + file);
        }
        FileTailer tailer =
            new FileTailer(
                file,
                Layout.detect().home().resolve("tail"),
                run,
                topic,
                lineFormat,
                source,
                hostName(),
                run::interrupted);
        tailer.run(follow);
        int exit = run.finish();
        tailer.printSummary();
        return exit;
      }
    }

    private int generate() {
      if (count < 1) {
        throw new CliException("--count must be at least 1: " + count);
      }
      LogGenerator generator = new LogGenerator(sources, errorRatio, "gen-" + runId());
      try (Publisher publisher = new Publisher(cluster.kafka(topic), Map.of())) {
        PublishRun run = new PublishRun("log events", count, publisher, rate);
        if (rate > 0) {
          // Paced: each event is made when it is due, so its timestamp is its send time.
          for (long i = 0; i < count && !run.interrupted(); i++) {
            run.sendEncoded(generator.next().record(topic));
          }
          return run.finish();
        }
        // As fast as possible: a second thread makes the events while this one sends.
        BlockingQueue<List<ProducerRecord<byte[], byte[]>>> chunks = new ArrayBlockingQueue<>(16);
        Thread generating =
            Thread.ofPlatform()
                .daemon()
                .name("log-generator")
                .start(
                    () -> {
                      try {
                        for (long left = count; left > 0 && !run.interrupted(); ) {
                          int size = (int) Math.min(512, left);
                          List<ProducerRecord<byte[], byte[]>> chunk = new ArrayList<>(size);
                          for (int i = 0; i < size; i++) {
                            chunk.add(generator.next().record(topic));
                          }
                          chunks.put(chunk);
                          left -= size;
                        }
                        chunks.put(List.of());
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
        try {
          List<ProducerRecord<byte[], byte[]>> chunk;
          while (!(chunk = chunks.take()).isEmpty() && !run.interrupted()) {
            chunk.forEach(run::sendEncoded);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        generating.interrupt();
        return run.finish();
      }
    }

    private int readStandardInput(PublishRun run, LogLines.Format lineFormat, String source)
        throws java.io.IOException {
      LinePublisher lines = new LinePublisher(run, topic, lineFormat, source, hostName());
      long lineNumber = 0;
      try (java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while (!run.interrupted() && (line = in.readLine()) != null) {
          lineNumber++;
          lines.publish(
              line,
              line.getBytes(StandardCharsets.UTF_8),
              "stdin-" + UUID.randomUUID(),
              new DeadLetter.Origin("stdin", -1, lineNumber),
              "stdin:" + lineNumber);
        }
      }
      int exit = run.finish();
      lines.printSummary();
      return exit;
    }

    private static LogLines.Format parseFormat(String name) {
      try {
        return LogLines.Format.valueOf(name.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CliException("--format must be json, plain, nginx or syslog: " + name);
      }
    }

    private static String hostName() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "localhost";
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

    @Mixin ClusterOption cluster;

    @Option(
        names = "--wait",
        description =
            "Wait until every job's result is on hash.results and report end-to-end jobs/s.")
    boolean wait;

    @Override
    public Integer call() {
      if (count < 1) {
        throw new CliException("--strings must be at least 1: " + count);
      }
      if (length < 1 || length > HashJob.MAX_INLINE_BYTES) {
        throw new CliException("--length must be 1-" + HashJob.MAX_INLINE_BYTES + ": " + length);
      }
      String run = runId();
      KafkaSettings kafka = cluster.kafkaForHashJobs(wait);
      java.util.Set<String> ids = new java.util.HashSet<>();
      try (HashClients clients = HashClients.open(kafka, wait)) {
        HashOutcomes results = wait ? clients.outcomes() : null;
        PublishRun publishing = new PublishRun("hash jobs", count, clients.publisher(), 0);
        Instant now = Instant.now();
        long start = System.nanoTime();
        for (long i = 0; i < count && !publishing.interrupted(); i++) {
          String id = "strings-" + run + "-" + i;
          if (wait) {
            ids.add(id);
          }
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
        int exit = publishing.finish();
        if (results == null || exit != 0) {
          if (exit == 0) {
            clients.served();
          }
          return exit;
        }
        long[] done = {0};
        Progress progress = new Progress("results", ids.size());
        java.util.Set<String> missing =
            results.awaitAll(
                ids,
                java.time.Duration.ofHours(1),
                publishing::interrupted,
                outcome -> progress.update(++done[0], (System.nanoTime() - start) / 1e9));
        clients.served();
        progress.done();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            java.util.Locale.ROOT,
            "%,d results in %.1f s from the first job published: %,.0f jobs/s end to end.%n",
            done[0],
            seconds,
            done[0] / seconds);
        if (!missing.isEmpty() && !publishing.interrupted()) {
          throw new CliException(
              missing.size()
                  + " of "
                  + ids.size()
                  + " jobs had no result after an hour; are hasher-worker processes running?",
              1);
        }
        return missing.isEmpty() ? 0 : 130;
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

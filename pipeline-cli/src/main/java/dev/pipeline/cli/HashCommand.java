package dev.pipeline.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.topic.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pipeline hash}: hashes files through the hasher workers and, when asked to wait, prints or
 * writes a manifest in {@code sha256sum}'s format, or checks one like {@code sha256sum -c}.
 */
@Command(
    name = "hash",
    mixinStandardHelpOptions = true,
    description = {
      "Hashes files through the hasher-worker processes: one job per file on hash.jobs.",
      "Directories are walked (sorted, symlinked directories not followed). With --wait the results are printed like sha256sum prints them (or written with --manifest), so 'sha256sum -c FILE' accepts the manifest. --verify checks a manifest like 'sha256sum -c': OK / FAILED per file, and a non-zero exit on any failure.",
      "Workers read only files under their roots (PIPELINE_HASHER_ROOTS; bin/pipeline up uses your home directory when it is unset).",
      "",
      "  bin/pipeline hash ~/photos --wait --manifest photos.sha256",
      "  bin/pipeline hash --verify photos.sha256"
    })
final class HashCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", arity = "0..*", description = "Files and directories to hash.")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = "--algo",
      split = ",",
      paramLabel = "ALGO",
      defaultValue = "sha256",
      description =
          "Digest algorithms, comma-separated: md5, sha1, sha256, sha384, sha512, sha3-256, sha3-512 (default ${DEFAULT-VALUE}). A manifest uses the first.")
  List<String> algorithms;

  @Option(names = "--wait", description = "Wait for every result and print them.")
  boolean wait;

  @Option(
      names = "--manifest",
      paramLabel = "FILE",
      description = "Write the results to FILE in sha256sum's format (implies --wait).")
  @Nullable Path manifest;

  @Option(
      names = "--verify",
      paramLabel = "MANIFEST",
      description = "Check the files a manifest lists against it, through the workers.")
  @Nullable Path verify;

  @Option(names = "--json", description = "Print the outcome as JSON.")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description =
          "Give up waiting after this long: 90 (seconds), 30s, 10m, 2h or PT1H (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--producer",
      arity = "0..1",
      paramLabel = "URL",
      fallbackValue = LOCAL_PRODUCER,
      description =
          "Send the jobs and read their results through producer-service (POST /v1/hashes): the local pipeline's, or the one at URL. Without it the CLI publishes and reads with Kafka clients of its own. A producer-service that has served a few runs saves this command its own clients (20,000 small files: the whole command about 0.3-0.6 s quicker); a fresh one is slower, as it compiles its clients during its first runs.")
  @Nullable String producer;

  @Mixin ClusterOption cluster;

  /** One file of the run: its name as the user wrote it, where it is, and what is expected. */
  private record Target(
      String name, Path path, long size, String algorithm, @Nullable String expected) {}

  /**
   * What became of one job: its result, or why it has none. Decoded as each arrives, while the
   * workers still hash, not all at once after the last: the report used to spend most of its time
   * decoding (20,000 results, a sixth of a second in a fresh JVM).
   */
  private record Settled(@Nullable HashResult result, @Nullable String failure) {}

  private static final String LOCAL_PRODUCER = "local";
  private static final JsonFactory JSON =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private volatile boolean interrupted;
  private final CountDownLatch finished = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    if (verify != null && !paths.isEmpty()) {
      throw new CliException("give either PATH... or --verify MANIFEST, not both");
    }
    if (producer != null && cluster.bootstrap != null) {
      throw new CliException("give --producer or --bootstrap, not both");
    }
    if (verify == null && paths.isEmpty()) {
      throw new CliException("nothing to hash: give one or more PATHs, or --verify MANIFEST");
    }
    List<String> algos = algorithms.stream().map(HashCommand::algorithmName).distinct().toList();
    boolean waiting = wait || manifest != null || verify != null;
    // The route is opened while the files are walked: reaching Kafka takes a tenth of a second or
    // more.
    CompletableFuture<HashRoute> opening = CompletableFuture.supplyAsync(() -> route(waiting));
    List<Target> targets;
    try {
      targets = verify != null ? fromManifest(verify) : walk(paths, algos.get(0));
      if (targets.isEmpty()) {
        throw new CliException("no files to hash under " + paths);
      }
    } catch (RuntimeException e) {
      opening.thenAccept(HashRoute::close);
      throw e;
    }
    HashRoute route;
    try {
      route = opening.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    Caller.current()
        .onInterrupt(
            () -> {
              interrupted = true;
              route.cancel();
              awaitQuietly(finished);
            });
    try (route) {
      String run = PublishCommand.runId();
      Map<String, Target> byJob = new LinkedHashMap<>();
      Progress progress = new Progress("published", targets.size());
      long start = System.nanoTime();
      Instant now = Instant.now();
      for (int i = 0; i < targets.size() && !interrupted; i++) {
        Target target = targets.get(i);
        String jobId = "hash-" + run + "-" + i;
        byJob.put(jobId, target);
        List<String> jobAlgorithms = verify != null ? List.of(target.algorithm()) : algos;
        route.submit(
            new HashJob(
                1,
                jobId,
                new HashJob.Source(HashJob.Kind.FILE, target.path().toString()),
                jobAlgorithms,
                target.expected(),
                now));
        progress.update(i + 1, (System.nanoTime() - start) / 1e9);
      }
      Map<String, String> notAccepted = route.finish();
      progress.done();
      if (!notAccepted.isEmpty()) {
        throw new CliException(
            notAccepted.size()
                + " of "
                + byJob.size()
                + " hash jobs were not accepted: "
                + notAccepted.values().iterator().next(),
            1);
      }
      if (!waiting) {
        System.out.printf(
            Locale.ROOT,
            "Published %,d hash jobs (run %s) through %s; results go to %s.%n",
            byJob.size(),
            run,
            route.description(),
            Topics.HASH_RESULTS);
        return interrupted ? 130 : 0;
      }
      Map<String, Settled> outcomes = collect(route, byJob, start);
      return report(byJob, outcomes, algos, (System.nanoTime() - start) / 1e9, route);
    } finally {
      finished.countDown();
    }
  }

  /** Through producer-service when asked ({@code --producer}), else straight to Kafka. */
  private HashRoute route(boolean waiting) {
    if (producer == null) {
      return new KafkaHashRoute(cluster.kafkaForHashJobs(waiting), waiting);
    }
    if (!producer.equals(LOCAL_PRODUCER)) {
      return new ServiceHashRoute(producer, waiting, timeout);
    }
    return new LocalPipeline(Layout.detect(), System.err)
        .requireRunning().instancesOf(ServiceName.PRODUCER).stream()
            .filter(p -> p.httpPort() > 0 && p.alive())
            .findFirst()
            .map(p -> new ServiceHashRoute("http://127.0.0.1:" + p.httpPort(), waiting, timeout))
            .orElseThrow(
                () ->
                    new CliException(
                        "no producer-service is running; start one with: bin/pipeline scale producer-service=1",
                        3));
  }

  private Map<String, Settled> collect(HashRoute route, Map<String, Target> byJob, long start) {
    Map<String, Settled> outcomes = new LinkedHashMap<>();
    long totalBytes = byJob.values().stream().mapToLong(Target::size).sum();
    long[] doneBytes = {0};
    Progress progress = new Progress("hashed", byJob.size());
    Set<String> pending =
        route.awaitAll(
            byJob.keySet(),
            timeout,
            () -> interrupted,
            outcome -> {
              outcomes.put(outcome.jobId(), new Settled(outcome.result(), outcome.failure()));
              doneBytes[0] += byJob.get(outcome.jobId()).size();
              if (progress.due()) {
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = doneBytes[0] / Math.max(seconds, 1e-9);
                progress.draw(
                    String.format(
                        Locale.ROOT,
                        "hashed %,d / %,d files (%.0f%%), %s / %s, %s/s, ETA %s",
                        outcomes.size(),
                        byJob.size(),
                        100.0 * outcomes.size() / byJob.size(),
                        bytes(doneBytes[0]),
                        bytes(totalBytes),
                        bytes((long) rate),
                        rate <= 0 ? "?" : clock((long) ((totalBytes - doneBytes[0]) / rate))));
              }
            });
    progress.done();
    if (!pending.isEmpty() && !interrupted) {
      throw new CliException(
          pending.size()
              + " of "
              + byJob.size()
              + " jobs had no result after "
              + timeout
              + "; are hasher-worker processes running? (bin/pipeline status)",
          1);
    }
    return outcomes;
  }

  private int report(
      Map<String, Target> byJob,
      Map<String, Settled> outcomes,
      List<String> algos,
      double seconds,
      HashRoute route)
      throws IOException {
    PrintStream out = System.out;
    List<String> errors = new ArrayList<>();
    StringBuilder manifestText = new StringBuilder();
    int ok = 0;
    long hashedBytes = 0;
    int mismatched = 0;
    List<FileReport> jsonFiles = new ArrayList<>();
    for (Map.Entry<String, Target> job : byJob.entrySet()) {
      Target target = job.getValue();
      Settled outcome = outcomes.get(job.getKey());
      HashResult result = outcome == null ? null : outcome.result();
      String error =
          outcome == null
              ? "no result (interrupted)"
              : result == null ? outcome.failure() : result.error();
      if (error != null) {
        errors.add(target.name() + ": " + error);
        if (json) {
          jsonFiles.add(new FileReport(target.name(), error, 0, Map.of(), null));
        }
        if (verify != null && !json) {
          out.println(Manifest.displayName(target.name()) + ": FAILED open or read");
        }
      } else {
        hashedBytes += result.size();
        Boolean matched = null;
        if (verify != null) {
          boolean good = Boolean.TRUE.equals(result.verified());
          matched = good;
          if (good) {
            ok++;
          } else {
            mismatched++;
          }
          if (!json) {
            out.println(Manifest.displayName(target.name()) + ": " + (good ? "OK" : "FAILED"));
          }
        } else {
          String line =
              Manifest.line(new Manifest.Entry(result.digests().get(algos.get(0)), target.name()));
          manifestText.append(line);
          if (manifest == null && !json) {
            out.print(line);
          }
        }
        if (json) {
          jsonFiles.add(
              new FileReport(target.name(), null, result.size(), result.digests(), matched));
        }
      }
    }
    if (manifest != null) {
      Files.writeString(Caller.current().resolve(manifest), manifestText, StandardCharsets.UTF_8);
    }
    int failed = errors.size() + mismatched;
    if (json) {
      writeJson(byJob.size(), failed, ok, mismatched, seconds, route, jsonFiles);
    }
    for (String error : errors) {
      System.err.println("pipeline: " + error);
    }
    if (verify != null && (mismatched > 0 || !errors.isEmpty())) {
      if (!errors.isEmpty()) {
        System.err.printf(
            Locale.ROOT, "pipeline: WARNING: %d listed file(s) could not be read%n", errors.size());
      }
      if (mismatched > 0) {
        System.err.printf(
            Locale.ROOT, "pipeline: WARNING: %d computed checksum(s) did NOT match%n", mismatched);
      }
    } else if (!json) {
      System.err.printf(
          Locale.ROOT,
          "%s %,d file(s), %s in %.1f s (%s/s)%s%s.%n",
          interrupted ? "Interrupted after" : verify != null ? "Verified" : "Hashed",
          byJob.size() - errors.size(),
          bytes(hashedBytes),
          seconds,
          bytes((long) (hashedBytes / Math.max(seconds, 1e-9))),
          errors.isEmpty() ? "" : "; " + errors.size() + " failed",
          manifest == null ? "" : "; manifest " + manifest);
    }
    return interrupted ? 130 : failed == 0 ? 0 : 1;
  }

  /**
   * One file in the {@code --json} report: its error, or its size, digests and (verifying) match.
   */
  private record FileReport(
      String name,
      @Nullable String error,
      long size,
      Map<String, String> digests,
      @Nullable Boolean ok) {}

  /**
   * Writes the {@code --json} report as it goes. Built as maps and turned into one string, the
   * report of 20,000 files was 3 MB of text made twice (last result to exit 0.98 s, now 0.89).
   */
  private void writeJson(
      int files,
      int failed,
      int ok,
      int mismatched,
      double seconds,
      HashRoute route,
      List<FileReport> reports)
      throws IOException {
    try (JsonGenerator json = JSON.createGenerator(System.out).useDefaultPrettyPrinter()) {
      json.writeStartObject();
      json.writeNumberField("files", files);
      json.writeNumberField("failed", failed);
      if (verify != null) {
        json.writeNumberField("ok", ok);
        json.writeNumberField("mismatched", mismatched);
      }
      json.writeNumberField("seconds", Math.round(seconds * 1000) / 1000.0);
      json.writeStringField("via", route.description());
      json.writeArrayFieldStart("results");
      for (FileReport file : reports) {
        json.writeStartObject();
        json.writeStringField("name", file.name());
        if (file.error() != null) {
          json.writeStringField("error", file.error());
        } else {
          json.writeNumberField("size", file.size());
          json.writeObjectFieldStart("digests");
          for (Map.Entry<String, String> digest : file.digests().entrySet()) {
            json.writeStringField(digest.getKey(), digest.getValue());
          }
          json.writeEndObject();
          if (file.ok() != null) {
            json.writeBooleanField("ok", file.ok());
          }
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    System.out.println();
  }

  /**
   * Lists the regular files under {@code paths}, named as the user would see them, sorted. A file's
   * type and size come from the one stat the walk makes; only a symbolic link costs another, to see
   * whether it leads to a regular file (symlinked directories are not followed).
   */
  private static List<Target> walk(List<Path> paths, String algorithm) {
    List<Target> targets = new ArrayList<>();
    for (Path path : paths) {
      // Walked from where the caller is; each file is named as the caller wrote its start (the
      // walk's paths all begin with the start's, so the rest of a path is what to append).
      Path start = Caller.current().resolve(path);
      if (!Files.exists(start)) {
        throw new CliException("no such file or directory: " + path);
      }
      String given = path.toString();
      int startLength = start.toString().length();
      List<Target> found = new ArrayList<>();
      try {
        Files.walkFileTree(
            start,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                  found.add(target(file, attributes.size()));
                } else if (attributes.isSymbolicLink()) {
                  try {
                    BasicFileAttributes linked =
                        Files.readAttributes(file, BasicFileAttributes.class);
                    if (linked.isRegularFile()) {
                      found.add(target(file, linked.size()));
                    }
                  } catch (IOException e) {
                    // A broken link leads to no file: skipped, as Files.isRegularFile skips it.
                  }
                }
                return FileVisitResult.CONTINUE;
              }

              private Target target(Path file, long size) {
                String rest = file.toString().substring(startLength);
                String name = given.isEmpty() ? rest.substring(1) : given + rest;
                return new Target(name, file, size, algorithm, null);
              }
            });
      } catch (IOException e) {
        throw new CliException("cannot walk " + path + ": " + e.getMessage());
      }
      // By path, as Files.walk sorted them: all share the root, so absolute paths sort the same.
      found.sort(Comparator.comparing(Target::path));
      targets.addAll(found);
    }
    return targets;
  }

  /** Lists the files of a manifest, named as written and found relative to the caller. */
  private static List<Target> fromManifest(Path manifest) {
    Caller caller = Caller.current();
    String text;
    try {
      text = Files.readString(caller.resolve(manifest), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException("no such manifest: " + manifest);
    } catch (IOException e) {
      throw new CliException("cannot read " + manifest + ": " + e.getMessage());
    }
    List<Manifest.Entry> entries;
    try {
      entries = Manifest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(manifest + ": " + e.getMessage());
    }
    return entries.stream()
        .map(
            entry -> {
              Path file = caller.resolve(Path.of(entry.name()));
              return new Target(
                  entry.name(),
                  file,
                  Files.isRegularFile(file) ? size(file) : 0,
                  Manifest.algorithmFor(entry.hex()),
                  entry.hex());
            })
        .toList();
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Maps sha256sum-style names (sha256, SHA256, sha-256) to the JDK's (SHA-256). */
  static String algorithmName(String name) {
    String upper = name.trim().toUpperCase(Locale.ROOT);
    String jdk =
        switch (upper) {
          case "MD5" -> "MD5";
          case "SHA1", "SHA-1" -> "SHA-1";
          case "SHA256", "SHA-256" -> "SHA-256";
          case "SHA384", "SHA-384" -> "SHA-384";
          case "SHA512", "SHA-512" -> "SHA-512";
          case "SHA3-256" -> "SHA3-256";
          case "SHA3-512" -> "SHA3-512";
          default -> null;
        };
    if (jdk == null) {
      throw new CliException(
          "unknown --algo "
              + name
              + " (known: md5, sha1, sha256, sha384, sha512, sha3-256, sha3-512)");
    }
    return jdk;
  }

  private static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes / 1024.0;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static String clock(long seconds) {
    return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

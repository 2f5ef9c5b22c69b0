package dev.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline demo}: the whole product in about a minute and a half. Starts the local pipeline,
 * runs each pattern on generated work (log events, a folder to hash, a site to crawl), scales the
 * hasher and the crawler from one process to two and shows the throughput before and after.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "A tour: each stage's throughput with one worker process, then two.",
      "Starts the local pipeline, publishes log events, hashes a generated folder and crawls a generated site, scales the hasher and the crawler from 1 to 2 processes, and prints each stage's throughput before and after. Stops everything at the end unless --keep."
    })
final class DemoCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  // Each worker process gets a fixed share of work at once, as a worker on a machine of its own
  // would (one hashing thread, four requests in flight), so a second process adds capacity. The
  // site has many hosts so that the frontier's partitions, keyed by host, spread over both.
  private static final Map<String, String> WORKER_LIMITS =
      Map.of(
          "PIPELINE_HASHER_THREADS", "1",
          // a file at a time, so an idle hasher takes the next file rather than a busy one
          "PIPELINE_HASHER_BATCH", "1",
          "PIPELINE_CRAWLER_MAX_FETCHES", "4");

  @Option(names = "--keep", description = "Leave the pipeline running at the end.")
  boolean keep;

  @Option(
      names = "--events",
      defaultValue = "200000",
      description = "Log events to publish (default ${DEFAULT-VALUE}).")
  int events;

  @Option(
      names = "--pages",
      defaultValue = "1500",
      description = "Pages of the generated site (default ${DEFAULT-VALUE}).")
  int pages;

  @Option(
      names = "--hash-files",
      defaultValue = "12",
      description = "Files of the generated folder (default ${DEFAULT-VALUE}).")
  int hashFiles;

  @Option(
      names = "--hash-file-mib",
      defaultValue = "128",
      description = "Size of each generated file in MiB (default ${DEFAULT-VALUE}).")
  int hashFileMib;

  private final PrintStream out = System.out;
  private final List<String[]> table = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Layout layout = Layout.detect();
    LocalPipeline pipeline =
        new LocalPipeline(layout, new PrintStream(OutputStream.nullOutputStream()));
    if (pipeline.running().isPresent()) {
      throw new CliException(
          "a pipeline is already running in "
              + layout.home()
              + "; stop it (bin/pipeline down) or give the demo another PIPELINE_HOME");
    }
    if (events < 1 || pages < 1 || hashFiles < 1 || hashFileMib < 1 || hashFileMib > 1024) {
      throw new CliException(
          "--events, --pages and --hash-files must be at least 1, --hash-file-mib 1-1024");
    }
    long started = System.nanoTime();
    Path work = Files.createDirectories(layout.home().resolve("demo"));
    Map<String, String> env = new java.util.HashMap<>(WORKER_LIMITS);
    env.put("PIPELINE_HASHER_ROOTS", work.toString());
    pipeline.serviceEnv(env);
    out.println("pipeline demo: each concurrency pattern on generated work, then scaled out.");
    out.println();
    step(1, "Starting the local broker and one process of each service");
    Map<ServiceName, Integer> one = new EnumMap<>(ServiceName.class);
    for (ServiceName service : ServiceName.values()) {
      one.put(service, 1);
    }
    int port = Integer.parseInt(System.getenv().getOrDefault("PIPELINE_KAFKA_PORT", "9092"));
    State state = pipeline.up(one, Optional.empty(), port, 12);
    say(
        "up in %.1f s: Kafka on %s, %d service processes",
        seconds(started), state.bootstrap(), state.services().size());
    boolean stopped = false;
    try {
      logEvents();
      hashing(pipeline, work);
      crawling(pipeline);
      summary(layout);
      if (!keep) {
        step(6, "Stopping everything (use --keep to leave it running)");
        pipeline.down(Duration.ofSeconds(30));
        stopped = true;
      }
      out.printf(Locale.ROOT, "%nDone in %.0f s.%n", seconds(started));
      return 0;
    } finally {
      if (!keep && !stopped) {
        pipeline.down(Duration.ofSeconds(30));
      }
    }
  }

  private void logEvents() throws Exception {
    step(
        2,
        String.format(
            Locale.ROOT,
            "Log events: publishing %,d generated events into logs.events; consumer-service stores them in SQLite",
            events));
    QueryClient store = QueryClient.locate(null);
    long before = storedEvents(store); // a demo run again in the same home adds to the store
    String published = run("publish", "logs", "--count", String.valueOf(events)).strip();
    say("%s", published);
    long start = System.nanoTime();
    long stored = 0;
    while (seconds(start) < 60) {
      stored = storedEvents(store) - before;
      if (stored >= events) {
        break;
      }
      Thread.sleep(200);
    }
    say(
        "stored %,d events %.1f s after the last was published (bin/pipeline logs stats)",
        stored, seconds(start));
  }

  private static long storedEvents(QueryClient store) throws Exception {
    return store.get("/v1/logs/stats", Map.of("since", "1h")).get("totalStored").asLong();
  }

  private void hashing(LocalPipeline pipeline, Path work) throws Exception {
    int files = hashFiles;
    int mib = hashFileMib;
    Path folder = Files.createDirectories(work.resolve("files"));
    byte[] data = new byte[mib << 20];
    for (int i = 0; i < files; i++) {
      new SplittableRandom(i).nextBytes(data);
      Files.write(folder.resolve("file-" + i + ".bin"), data);
    }
    step(
        3,
        String.format(
            Locale.ROOT,
            "Hashing (CPU-bound, processes and cores): %d files of %d MiB through the hasher share group, one thread per process",
            files,
            mib));
    double oneRate = hashRate(folder, files * (long) mib);
    say("1 process:   %,.0f MiB/s", oneRate);
    scale(pipeline, ServiceName.HASHER, 2);
    double twoRate = hashRate(folder, files * (long) mib);
    say("2 processes: %,.0f MiB/s", twoRate);
    table.add(row("hashing (MiB/s)", oneRate, twoRate));
  }

  private double hashRate(Path folder, long mib) throws Exception {
    // One untimed run first: a fresh hasher compiles its hashing loop in its first files, which
    // showed one process at 760-880 MiB/s where it hashes 1,400 warm.
    run("hash", folder.toString(), "--wait", "--json");
    JsonNode summary = JSON.readTree(run("hash", folder.toString(), "--wait", "--json"));
    return mib / summary.get("seconds").asDouble();
  }

  private void crawling(LocalPipeline pipeline) throws Exception {
    try (GeneratedSite site = new GeneratedSite(pages, 64, 50, 0)) {
      step(
          4,
          String.format(
              Locale.ROOT,
              "Crawling (I/O-bound, virtual threads): a generated site of %,d pages on 64 hosts (%s..., 50 ms a page), at most %s requests at once per process",
              pages,
              site.url(0),
              WORKER_LIMITS.get("PIPELINE_CRAWLER_MAX_FETCHES")));
      double oneRate = crawlRate(site);
      say("1 process:   %,.0f pages/s", oneRate);
      scale(pipeline, ServiceName.CRAWLER, 2);
      double twoRate = crawlRate(site);
      say("2 processes: %,.0f pages/s", twoRate);
      table.add(row("crawling (pages/s)", oneRate, twoRate));
    }
  }

  private double crawlRate(GeneratedSite site) throws Exception {
    JsonNode summary =
        JSON.readTree(
            run(
                "crawl",
                site.url(0),
                "--scope",
                "any",
                "--depth",
                "100",
                "--delay",
                "0",
                "--per-host-concurrency",
                "4",
                "--allow-private-addresses",
                "--wait",
                "--json"));
    lastCrawl = summary.get("crawlId").asText();
    return summary.get("pagesPerSecond").asDouble();
  }

  private String lastCrawl = "";

  private void scale(LocalPipeline pipeline, ServiceName service, int processes) throws Exception {
    say("scaling %s to %d processes...", service.id(), processes);
    pipeline.scale(pipeline.requireRunning(), Map.of(service, processes));
    Thread.sleep(6000); // the new member joins its group and takes partitions
  }

  private void summary(Layout layout) {
    step(5, "Throughput before and after adding a process");
    Table result = new Table("stage", "1 process", "2 processes", "change");
    table.forEach(r -> result.row((Object[]) r));
    result.toString().lines().forEach(line -> out.println("      " + line));
    out.println();
    out.println("  Where the results are:");
    out.println(
        "    log events    "
            + layout.home().resolve("data/pipeline.db")
            + " (bin/pipeline logs stats, logs search)");
    out.println(
        "    hash results  hash.results, stored in hash_results (bin/pipeline hash DIR --wait)");
    out.println(
        "    crawl pages   crawl.pages, stored in crawl_pages (bin/pipeline crawl results "
            + lastCrawl
            + ")");
    out.println("    processes     bin/pipeline status, logs in " + layout.logs());
  }

  private static String[] row(String stage, double one, double two) {
    return new String[] {
      stage,
      String.format(Locale.ROOT, "%,.0f", one),
      String.format(Locale.ROOT, "%,.0f", two),
      String.format(Locale.ROOT, "%.2fx", two / Math.max(one, 1e-9))
    };
  }

  /** Runs a pipeline command in this JVM and returns what it printed on stdout. */
  private static String run(String... args) throws IOException {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      exit = PipelineCli.commandLine(args).execute(args);
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new CliException(
          "the demo's 'pipeline "
              + String.join(" ", args)
              + "' failed (exit "
              + exit
              + "): "
              + output.strip());
    }
    return output;
  }

  private void step(int number, String what) {
    out.printf(Locale.ROOT, "[%d/6] %s%n", number, what);
  }

  private void say(String format, Object... args) {
    out.printf(Locale.ROOT, "      " + format + "%n", args);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}

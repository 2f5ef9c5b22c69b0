package dev.pipeline.crawler;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import dev.pipeline.core.topic.Topics;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Owns hosts of the frontier through the {@code crawler} consumer group and crawls them politely:
 * fetches on virtual threads, feeds discovered links back to the frontier, publishes pages.
 */
@Command(
    name = "crawler-service",
    mixinStandardHelpOptions = true,
    description = {
      "Crawls the URLs of crawl.frontier (keyed by host) in a consumer group.",
      "Each process owns some hosts at a time and keeps their politeness; fetches run on virtual threads."
    })
public final class CrawlerService implements Callable<Integer> {
  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_CRAWLER_GROUP:-crawler}",
      description = "Consumer group (env PIPELINE_CRAWLER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--max-fetches",
      defaultValue = "${env:PIPELINE_CRAWLER_MAX_FETCHES:-256}",
      description =
          "Requests in flight in this process, across hosts (env PIPELINE_CRAWLER_MAX_FETCHES, default ${DEFAULT-VALUE}).")
  int maxFetches;

  @Option(
      names = "--fetch-timeout",
      defaultValue = "${env:PIPELINE_CRAWLER_FETCH_TIMEOUT:-10s}",
      description =
          "Connect and read timeout of a request (env PIPELINE_CRAWLER_FETCH_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration fetchTimeout;

  @Option(
      names = "--max-page-bytes",
      defaultValue = "${env:PIPELINE_CRAWLER_MAX_PAGE_BYTES:-5242880}",
      description =
          "Largest body read; bigger pages are recorded, not parsed (env PIPELINE_CRAWLER_MAX_PAGE_BYTES, default ${DEFAULT-VALUE}).")
  long maxPageBytes;

  @Option(
      names = "--resolve",
      paramLabel = "HOST=IP",
      split = ",",
      defaultValue = "${env:PIPELINE_CRAWLER_RESOLVE}",
      description =
          "Resolve HOST to IP instead of asking DNS, like curl --resolve (env PIPELINE_CRAWLER_RESOLVE, comma-separated). The address guard still checks IP.")
  Map<String, String> resolve = new LinkedHashMap<>();

  @Option(
      names = "--trusted-address",
      paramLabel = "IP",
      split = ",",
      defaultValue = "${env:PIPELINE_CRAWLER_TRUSTED_ADDRESSES}",
      description =
          "A private address every crawl may reach, as if public (an intranet site; env PIPELINE_CRAWLER_TRUSTED_ADDRESSES, comma-separated).")
  List<String> trustedAddresses = new ArrayList<>();

  @Option(
      names = "--secrets-file",
      paramLabel = "FILE",
      defaultValue = "${env:PIPELINE_SECRETS_FILE}",
      description =
          "Credentials for logged-in crawls, as NAME.username=... and NAME.password=... lines; only its owner may read it (env PIPELINE_SECRETS_FILE). PIPELINE_CREDENTIAL_<NAME>_USERNAME and _PASSWORD variables work too.")
  java.nio.file.@Nullable Path secretsFile;

  @Option(
      names = "--render-pool",
      paramLabel = "N",
      defaultValue = "${env:PIPELINE_CRAWLER_RENDER_POOL:--1}",
      description =
          "Browsers for rendered fetches, each started when first needed (env PIPELINE_CRAWLER_RENDER_POOL; default: two per core, at most one per 2 GiB of memory; 0: render nothing).")
  int renderPool;

  @Option(
      names = "--chromium",
      paramLabel = "PATH",
      defaultValue = "${env:PIPELINE_CHROMIUM}",
      description =
          "The Chromium to render with (env PIPELINE_CHROMIUM; default: Debian's chromium-headless-shell if installed, whose browser process needs about a third of full Chromium's CPU, else /usr/bin/chromium).")
  java.nio.file.@Nullable Path chromium;

  /** Debian's old headless shell when installed: no browser UI to run, much less CPU a page. */
  static java.nio.file.Path defaultChromium() {
    java.nio.file.Path shell = java.nio.file.Path.of("/usr/bin/chromium-headless-shell");
    return java.nio.file.Files.isExecutable(shell)
        ? shell
        : java.nio.file.Path.of("/usr/bin/chromium");
  }

  @Option(
      names = "--screenshot-dir",
      paramLabel = "DIR",
      defaultValue =
          "${env:PIPELINE_CRAWLER_SCREENSHOT_DIR:-${sys:java.io.tmpdir}/pipeline-screenshots}",
      description =
          "Where screenshot steps write their PNG files, one folder per crawl (env PIPELINE_CRAWLER_SCREENSHOT_DIR, default ${DEFAULT-VALUE}).")
  java.nio.file.Path screenshotDir;

  /** Two browsers per core (rendering waits on the network too), as memory allows. */
  static int fittedRenderPool() {
    long memory =
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize();
    int byMemory = (int) Math.max(1, memory / (2L << 30));
    return Math.min(2 * Runtime.getRuntime().availableProcessors(), byMemory);
  }

  @Override
  public Integer call() throws Exception {
    if (maxFetches < 1) {
      throw new IllegalArgumentException("--max-fetches must be at least 1: " + maxFetches);
    }
    if (maxPageBytes < 1) {
      throw new IllegalArgumentException("--max-page-bytes must be at least 1: " + maxPageBytes);
    }
    Map<String, String> hosts = new LinkedHashMap<>();
    if (resolve != null) {
      resolve.forEach((host, ip) -> hosts.put(host.toLowerCase(Locale.ROOT), ip.strip()));
    }
    Set<InetAddress> trusted = new HashSet<>();
    for (String address : trustedAddresses == null ? List.<String>of() : trustedAddresses) {
      String literal = address.strip();
      if (!literal.matches("[0-9A-Fa-f:.]+")) {
        throw new IllegalArgumentException("--trusted-address must be an IP address: " + literal);
      }
      trusted.add(InetAddress.getByName(literal)); // a literal: no DNS lookup
    }
    Credentials credentials = Credentials.load(System.getenv(), secretsFile);
    int browsers = renderPool < 0 ? fittedRenderPool() : renderPool;
    String worker = options.workerId();
    ScheduledExecutorService counts = Executors.newSingleThreadScheduledExecutor();
    try {
      return ServiceRunner.run(
          "crawler-service",
          options,
          Map.of(), // pages are HTML: lz4, the default, pays
          (kafka, publisher) -> {
            CrawlRegistry registry = new CrawlRegistry(kafka, publisher, worker, credentials);
            registry.start(Duration.ofSeconds(60));
            counts.scheduleAtFixedRate(registry::publishCounts, 250, 250, TimeUnit.MILLISECONDS);
            PageFetcher fetcher = new PageFetcher(fetchTimeout, maxPageBytes, hosts, trusted);
            RenderPool renderer =
                browsers == 0
                    ? null
                    : new RenderPool(
                        browsers,
                        chromium != null ? chromium : defaultChromium(),
                        screenshotDir,
                        fetchTimeout,
                        fetcher,
                        hosts);
            if (renderer != null) {
              // Browsers are child processes: close them with the service, not after it.
              Runtime.getRuntime().addShutdownHook(new Thread(renderer::close, "close-browsers"));
            }
            FrontierHandler handler =
                new FrontierHandler(
                    registry,
                    new StateStore(kafka, publisher),
                    fetcher,
                    publisher,
                    worker,
                    maxFetches,
                    credentials,
                    renderer);
            return new Worker<>(
                WorkerSettings.builder("crawler-service", kafka)
                    .group(group)
                    .topics(Topics.CRAWL_FRONTIER)
                    .concurrency(options.concurrency(64))
                    .maxInFlight(Math.max(1024, 4 * maxFetches))
                    .shutdownTimeout(options.shutdownTimeout())
                    .build(),
                FrontierUrl.class,
                handler,
                publisher);
          });
    } finally {
      counts.shutdownNow();
    }
  }

  public static void main(String[] args) {
    ServiceMain.run("crawler-service", new CrawlerService(), args);
  }
}

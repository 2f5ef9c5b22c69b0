package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.crawl.CrawlRequest;
import dev.pipeline.core.crawl.CrawlSubmission;
import dev.pipeline.core.crawl.CrawlTracker;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlUrls;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline crawl}: submits a crawl, follows it, and asks about crawls. */
@Command(
    name = "crawl",
    mixinStandardHelpOptions = true,
    description = {
      "Crawls from the given URLs through the crawler-service processes.",
      "With --wait it follows the crawl to its end: live progress, then pages, status codes, skipped URLs by reason and broken links. A crawl refuses loopback and private addresses unless --allow-private-addresses.",
      "",
      "  bin/pipeline crawl https://example.com/ --depth 2 --wait",
      "  bin/pipeline crawl status ID | pause ID | resume ID | cancel ID",
      "  bin/pipeline crawl results ID --csv",
      "  bin/pipeline crawl explain ID URL"
    },
    subcommands = {
      CrawlCommand.Status.class,
      CrawlCommand.Pause.class,
      CrawlCommand.Resume.class,
      CrawlCommand.Cancel.class,
      CrawlCommand.Results.class,
      CrawlCommand.Explain.class
    })
final class CrawlCommand implements Callable<Integer> {
  private static final MessageCodec CODEC = MessageCodec.standard();
  // What submitting, steering and following a crawl read and write.
  private static final String[] CRAWL_TOPICS = {
    Topics.CRAWL_JOBS,
    Topics.CRAWL_CONTROL,
    Topics.CRAWL_FRONTIER,
    Topics.CRAWL_PAGES,
    Topics.CRAWL_SKIPPED
  };

  @Parameters(paramLabel = "URL", arity = "0..*", description = "Seed URLs (http or https).")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--seeds-file",
      paramLabel = "FILE",
      description = "More seeds, one URL per line ('#' starts a comment).")
  @Nullable Path seedsFile;

  @Option(
      names = "--depth",
      defaultValue = "" + CrawlRequest.DEFAULT_DEPTH,
      description = "Links followed from a seed (0: the seeds only; default ${DEFAULT-VALUE}).")
  int depth;

  @Option(
      names = "--max-pages",
      description = "Stop after this many pages, across all crawler processes.")
  @Nullable Integer maxPages;

  @Option(
      names = "--scope",
      defaultValue = CrawlRequest.DEFAULT_SCOPE,
      description =
          "Which links to follow: same-host, same-domain or any (default ${DEFAULT-VALUE}).")
  String scope;

  @Option(names = "--include", paramLabel = "REGEX", description = "Follow only URLs that match.")
  List<String> include = new ArrayList<>();

  @Option(names = "--exclude", paramLabel = "REGEX", description = "Never follow URLs that match.")
  List<String> exclude = new ArrayList<>();

  @Option(
      names = "--delay",
      paramLabel = "MS",
      defaultValue = "" + CrawlRequest.DEFAULT_DELAY_MS,
      description =
          "Least time between requests to one host, in ms (robots.txt Crawl-delay can raise it; default ${DEFAULT-VALUE}).")
  long delayMs;

  @Option(
      names = "--per-host-concurrency",
      defaultValue = "" + CrawlRequest.DEFAULT_PER_HOST_CONCURRENCY,
      description = "Requests in flight to one host (default ${DEFAULT-VALUE}).")
  int perHostConcurrency;

  @Option(
      names = "--user-agent",
      paramLabel = "UA",
      defaultValue = CrawlRequest.DEFAULT_USER_AGENT,
      description =
          "User-Agent, also the name robots.txt rules are matched against (default ${DEFAULT-VALUE}).")
  String userAgent;

  @Option(
      names = "--header",
      paramLabel = "'NAME: VALUE'",
      description = "A request header for the seeds' hosts.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--cookie",
      paramLabel = "NAME=VALUE",
      description = "A cookie for the seeds' hosts.")
  List<String> cookies = new ArrayList<>();

  @Option(
      names = "--basic-auth",
      paramLabel = "USER:PASSWORD",
      description =
          "HTTP basic auth for the seeds' hosts. The password travels with the crawl on"
              + " crawl.jobs: for a secret use --basic-auth-credential.")
  @Nullable String basicAuth;

  @Option(
      names = "--basic-auth-credential",
      paramLabel = "NAME",
      description =
          "HTTP basic auth for the seeds' hosts with a credential the crawlers hold"
              + " (PIPELINE_CREDENTIAL_NAME_USERNAME and _PASSWORD, or their secrets file):"
              + " the password never leaves them.")
  @Nullable String basicAuthCredential;

  @Option(names = "--ignore-robots", description = "Do not fetch or obey robots.txt.")
  boolean ignoreRobots;

  @Option(
      names = "--allow-private-addresses",
      description = "Allow loopback, private and link-local addresses (local sites, tests).")
  boolean allowPrivateAddresses;

  @Option(
      names = "--login-url",
      paramLabel = "URL",
      description =
          "Log in with the form on this page before crawling (with --credential). A logged-in crawl never follows logout, delete and similar links (see the README).")
  @Nullable String loginUrl;

  @Option(
      names = "--credential",
      paramLabel = "NAME",
      description =
          "The credential to log in with. Only its name travels with the crawl; the crawlers hold the user name and password (PIPELINE_CREDENTIAL_<NAME>_USERNAME and _PASSWORD, or their --secrets-file).")
  @Nullable String credential;

  @Option(
      names = "--login-form",
      paramLabel = "CSS",
      description = "The login form (default: the form with a password field).")
  @Nullable String loginForm;

  @Option(
      names = "--username-field",
      paramLabel = "NAME",
      description = "The user name input (default: the form's first text or email input).")
  @Nullable String usernameField;

  @Option(
      names = "--password-field",
      paramLabel = "NAME",
      description = "The password input (default: the form's password input).")
  @Nullable String passwordField;

  @Option(
      names = "--login-field",
      paramLabel = "NAME=VALUE",
      description = "Another input of the login form to set (not secret).")
  Map<String, String> loginFields = new LinkedHashMap<>();

  @Option(
      names = "--logged-out-selector",
      paramLabel = "CSS",
      description =
          "A page showing this has lost the session: log in again once and ask again (a redirect to the login page always counts).")
  @Nullable String loggedOutSelector;

  @Option(
      names = "--login-steps",
      paramLabel = "FILE",
      description =
          "Log in in a browser with these steps on the login page (YAML or JSON list, as in --steps: e.g. fill with credential: username|password, click, wait-for) instead of by the form over HTTP; the cookies it earns go with every fetch.")
  @Nullable Path loginSteps;

  @Option(
      names = "--logged-out-status",
      paramLabel = "STATUS",
      description = "A status that means the session is gone (401, say).")
  @Nullable Integer loggedOutStatus;

  @Option(
      names = "--render",
      paramLabel = "WHEN",
      defaultValue = "never",
      description =
          "Render fetched HTML pages in headless Chromium and take their links from the rendered page: never, auto (when a page looks as if it needs JavaScript: see --render-signal) or always (default ${DEFAULT-VALUE}).")
  String render;

  @Option(
      names = "--render-pattern",
      paramLabel = "REGEX",
      description = "Always render URLs that match, whatever --render says.")
  List<String> renderPatterns = new ArrayList<>();

  @Option(
      names = "--render-signal",
      paramLabel = "CSS",
      description =
          "With --render auto: render a page that shows this (default: a body without text, or a <noscript>).")
  @Nullable String renderSignal;

  @Option(
      names = "--steps",
      paramLabel = "FILE",
      description =
          "Browser steps for matching pages, as YAML or JSON: a list of {on: URL-REGEX, steps: [{action: fill, selector: '#q', value: lamp}, ...]} (actions: goto, fill, click, select, wait-for, set-cookie, set-storage, read-storage, evaluate, extract, screenshot; see the README). Matching pages are rendered.")
  @Nullable Path stepsFile;

  @Option(names = "--id", description = "The crawl's id (default: a new random one).")
  @Nullable String id;

  @Option(
      names = "--wait",
      description = "Follow the crawl until it is finished, then summarise it.")
  boolean wait;

  @Option(
      names = "--urls-out",
      paramLabel = "FILE",
      description = "Write the sorted fetched URLs to FILE (implies --wait).")
  @Nullable Path urlsOut;

  @Option(names = "--json", description = "Print the outcome as JSON.")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description =
          "Give up waiting after this long: 90 (seconds), 30s, 10m, 2h or PT1H (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin ClusterOption cluster;

  private volatile boolean interrupted;

  @Override
  public Integer call() throws Exception {
    CrawlJob job = job();
    String refusal = CrawlSubmission.refusedSeed(job);
    if (refusal != null) {
      throw new CliException(refusal);
    }
    KafkaSettings kafka = cluster.kafka(CRAWL_TOPICS);
    boolean waiting = wait || urlsOut != null;
    Thread main = Thread.currentThread();
    try (CrawlTracker tracker = waiting ? new CrawlTracker(kafka, job.crawlId(), null) : null;
        Publisher publisher = new Publisher(kafka, Map.of())) {
      CrawlSubmission.submit(publisher, job);
      if (!json || !waiting) {
        PrintStream out = json ? System.out : System.err;
        out.println(
            json
                ? "{\"crawlId\":\"" + job.crawlId() + "\",\"seeds\":" + job.seeds().size() + "}"
                : "crawl " + job.crawlId() + " submitted with " + job.seeds().size() + " seed(s)");
      }
      if (tracker == null) {
        return 0;
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    interrupted = true;
                    try {
                      main.join(3000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      return follow(tracker, job);
    }
  }

  private int follow(CrawlTracker tracker, CrawlJob job) throws IOException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Progress progress = new Progress("fetched", 0);
    boolean finished = false;
    while (!interrupted && System.nanoTime() < deadline) {
      tracker.poll(Duration.ofMillis(200));
      if (tracker.finished()) {
        finished = true;
        break;
      }
      if (progress.due()) {
        progress.draw(progressLine(tracker, seconds(start)));
      }
    }
    progress.done();
    double seconds = seconds(start);
    summarise(tracker, job, finished, seconds);
    if (urlsOut != null) {
      List<String> fetched = new ArrayList<>(tracker.pages().keySet());
      fetched.sort(null);
      Files.write(urlsOut, fetched, StandardCharsets.UTF_8);
    }
    if (finished && tracker.state() == CrawlControl.State.FAILED) {
      System.err.println("pipeline: crawl " + job.crawlId() + " failed: " + tracker.failure());
      return 1;
    }
    if (finished) {
      return 0;
    }
    System.err.println(
        interrupted
            ? "pipeline: stopped following; the crawl goes on (bin/pipeline crawl status "
                + job.crawlId()
                + ")"
            : "pipeline: the crawl was not finished after " + timeout);
    return interrupted ? 130 : 1;
  }

  private static String progressLine(CrawlTracker tracker, double seconds) {
    return String.format(
        Locale.ROOT,
        "fetched %,d, queued %,d, errors %,d, %,.1f pages/s",
        tracker.fetched(),
        tracker.pending(),
        tracker.errors(),
        tracker.fetched() / Math.max(seconds, 1e-9));
  }

  private void summarise(CrawlTracker tracker, CrawlJob job, boolean finished, double seconds) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("crawlId", job.crawlId());
    summary.put("finished", finished);
    if (tracker.failure() != null) {
      summary.put("failed", tracker.failure());
    }
    summary.put("pages", tracker.fetched());
    summary.put("seconds", Math.round(seconds * 10) / 10.0);
    summary.put(
        "pagesPerSecond", Math.round(tracker.fetched() / Math.max(seconds, 1e-9) * 10) / 10.0);
    Map<String, Long> statuses = new LinkedHashMap<>();
    tracker.statuses().forEach((status, count) -> statuses.put(String.valueOf(status), count));
    summary.put("statuses", statuses);
    Map<String, Long> skipped = new LinkedHashMap<>();
    tracker.skippedByReason().forEach((reason, count) -> skipped.put(reason.label(), count));
    summary.put("skipped", skipped);
    List<Map<String, Object>> broken = new ArrayList<>();
    for (PageResult page : tracker.broken()) {
      Map<String, Object> link = new LinkedHashMap<>();
      link.put("url", page.url());
      link.put("status", page.status());
      link.put("error", page.error());
      link.put("linkedFrom", page.parent());
      broken.add(link);
    }
    summary.put("broken", broken);
    if (json) {
      System.out.println(new String(CODEC.encode(summary), StandardCharsets.UTF_8));
      return;
    }
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "crawl %s %s: %,d page(s) in %.1f s (%.1f pages/s)%n",
        job.crawlId(),
        finished ? "finished" : "not finished",
        tracker.fetched(),
        seconds,
        tracker.fetched() / Math.max(seconds, 1e-9));
    out.println("  status codes: " + (statuses.isEmpty() ? "none" : statuses));
    out.println("  not fetched:  " + (skipped.isEmpty() ? "none" : skipped));
    if (!broken.isEmpty()) {
      out.println("  broken links:");
      for (PageResult page : tracker.broken()) {
        out.println(
            "    "
                + (page.status() == 0 ? "ERR" : String.valueOf(page.status()))
                + " "
                + page.url()
                + (page.parent() == null ? "" : "  (linked from " + page.parent() + ")")
                + (page.status() == 0 && page.error() != null ? ": " + page.error() : ""));
      }
    }
  }

  private CrawlJob job() throws IOException {
    List<String> seeds = new ArrayList<>(urls);
    if (seedsFile != null) {
      if (!Files.isReadable(seedsFile)) {
        throw new CliException("cannot read --seeds-file " + seedsFile);
      }
      for (String line : Files.readAllLines(seedsFile, StandardCharsets.UTF_8)) {
        String seed = line.strip();
        if (!seed.isEmpty() && !seed.startsWith("#")) {
          seeds.add(seed);
        }
      }
    }
    if (seeds.isEmpty()) {
      throw new CliException("nothing to crawl: give one or more URLs or --seeds-file");
    }
    try {
      return new CrawlRequest(
              seeds,
              depth,
              maxPages,
              scope,
              include,
              exclude,
              delayMs,
              perHostConcurrency,
              userAgent,
              headers,
              cookies,
              basicAuth,
              basicAuthCredential,
              ignoreRobots,
              allowPrivateAddresses,
              id,
              login(),
              render,
              renderPatterns,
              renderSignal,
              stepsFile == null ? null : StepsFile.read(stepsFile))
          .toJob(Instant.now());
    } catch (IllegalArgumentException e) {
      throw new CliException(asFlag(e.getMessage()));
    }
  }

  private @Nullable CrawlLogin login() {
    if (loginUrl == null && credential == null) {
      if (loginForm != null
          || usernameField != null
          || passwordField != null
          || !loginFields.isEmpty()
          || loggedOutSelector != null
          || loggedOutStatus != null
          || loginSteps != null) {
        throw new CliException("the login options need --login-url and --credential");
      }
      return null;
    }
    if (loginUrl == null || credential == null) {
      throw new CliException("--login-url and --credential go together");
    }
    return new CrawlLogin(
        loginUrl,
        credential,
        loginForm,
        usernameField,
        passwordField,
        loginFields,
        loggedOutSelector,
        loggedOutStatus,
        loginSteps == null ? null : StepsFile.readSteps(loginSteps));
  }

  /**
   * Names the flag the person typed instead of the request field: "maxPages ..." -> "--max-pages
   * ...".
   */
  private static String asFlag(String message) {
    if (message.startsWith("url ")) {
      return "URL " + message.substring(4);
    }
    String[][] names = {
      {"maxPages", "max-pages"},
      {"delayMs", "delay"},
      {"perHostConcurrency", "per-host-concurrency"},
      {
        "basicAuthCredential cannot go with basicAuth",
        "basic-auth-credential cannot go with --basic-auth"
      },
      {"basicAuthCredential", "basic-auth-credential"},
      {"basicAuth", "basic-auth"},
      {"userAgent", "user-agent"},
      {"renderPatterns", "render-pattern"},
      {"renderSignal", "render-signal"},
      {"login.url", "login-url"},
      {"login.credential", "credential"},
      {"login.form", "login-form"},
      {"login.usernameField", "username-field"},
      {"login.passwordField", "password-field"},
      {"login.fields", "login-field"},
      {"login.loggedOutSelector", "logged-out-selector"},
      {"login.loggedOutStatus", "logged-out-status"}
    };
    for (String[] name : names) {
      if (message.startsWith(name[0])) {
        return "--" + name[1] + message.substring(name[0].length());
      }
    }
    return "--" + message;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The crawl named on the command line, read back from {@code crawl.jobs}. */
  static CrawlJob existing(KafkaSettings kafka, String crawlId) {
    CrawlJob job = CrawlTracker.findJob(kafka, crawlId);
    if (job == null) {
      throw new CliException("no crawl " + crawlId + " on " + Topics.CRAWL_JOBS, 1);
    }
    return job;
  }

  /** Reads everything of a crawl there is now. */
  static CrawlTracker caughtUp(KafkaSettings kafka, CrawlJob job) {
    CrawlTracker tracker = new CrawlTracker(kafka, job.crawlId(), job.submittedAt());
    tracker.catchUp();
    return tracker;
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Where a crawl stands.")
  static final class Status implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String crawlId;

    @Option(names = "--json", description = "Print it as JSON.")
    boolean json;

    @Mixin ClusterOption cluster;

    @Override
    public Integer call() {
      KafkaSettings kafka = cluster.kafka(CRAWL_TOPICS);
      CrawlJob job = existing(kafka, crawlId);
      try (CrawlTracker tracker = caughtUp(kafka, job)) {
        boolean finished = tracker.finished();
        CrawlControl.State state = tracker.state();
        String shown =
            state == CrawlControl.State.FAILED
                ? "failed: " + tracker.failure()
                : finished
                    ? "finished"
                    : (state == null ? CrawlControl.State.RUNNING : state)
                        .name()
                        .toLowerCase(Locale.ROOT);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("crawlId", crawlId);
        status.put("state", shown);
        status.put("fetched", tracker.fetched());
        status.put("queued", tracker.pending());
        status.put("errors", tracker.errors());
        Map<String, Long> skipped = new LinkedHashMap<>();
        tracker.skippedByReason().forEach((reason, count) -> skipped.put(reason.label(), count));
        status.put("skipped", skipped);
        status.put("submittedAt", job.submittedAt().toString());
        status.put("seeds", job.seeds());
        if (json) {
          System.out.println(new String(CODEC.encode(status), StandardCharsets.UTF_8));
        } else {
          System.out.printf(
              Locale.ROOT,
              "crawl %s: %s, fetched %,d, queued %,d, errors %,d, not fetched %s%n",
              crawlId,
              shown,
              tracker.fetched(),
              tracker.pending(),
              tracker.errors(),
              skipped.isEmpty() ? "none" : skipped);
        }
        return 0;
      }
    }
  }

  /** Sets a crawl's state on {@code crawl.control}. */
  abstract static class Control implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String crawlId;

    @Mixin ClusterOption cluster;

    abstract CrawlControl.State state();

    @Override
    public Integer call() throws Exception {
      KafkaSettings kafka = cluster.kafka(CRAWL_TOPICS);
      existing(kafka, crawlId);
      try (Publisher publisher = new Publisher(kafka, Map.of())) {
        publisher
            .publish(
                Topics.CRAWL_CONTROL, crawlId, new CrawlControl(1, crawlId, state(), Instant.now()))
            .get(30, TimeUnit.SECONDS);
      }
      System.err.println("crawl " + crawlId + " " + state().name().toLowerCase(Locale.ROOT));
      return 0;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Crawlers hold the crawl's URLs until it is resumed.")
  static final class Pause extends Control {
    @Override
    CrawlControl.State state() {
      return CrawlControl.State.PAUSED;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resumes a paused crawl.")
  static final class Resume extends Control {
    @Override
    CrawlControl.State state() {
      return CrawlControl.State.RUNNING;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Crawlers skip the crawl's remaining URLs (reason: crawl cancelled).")
  static final class Cancel extends Control {
    @Override
    CrawlControl.State state() {
      return CrawlControl.State.CANCELLED;
    }
  }

  @Command(
      name = "results",
      mixinStandardHelpOptions = true,
      description = "The pages a crawl fetched: a table, --json or --csv.")
  static final class Results implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String crawlId;

    @Option(names = "--json", description = "One JSON array of pages.")
    boolean json;

    @Option(names = "--csv", description = "CSV with a header line.")
    boolean csv;

    @Mixin ClusterOption cluster;

    @Override
    public Integer call() {
      if (json && csv) {
        throw new CliException("give --json or --csv, not both");
      }
      KafkaSettings kafka = cluster.kafka(CRAWL_TOPICS);
      CrawlJob job = existing(kafka, crawlId);
      try (CrawlTracker tracker = caughtUp(kafka, job)) {
        List<PageResult> pages = new ArrayList<>(tracker.pages().values());
        pages.sort(java.util.Comparator.comparing(PageResult::url));
        PrintStream out = System.out;
        if (json) {
          out.print("[");
          for (int i = 0; i < pages.size(); i++) {
            out.print(
                (i == 0 ? "\n" : ",\n")
                    + new String(CODEC.encode(pages.get(i)), StandardCharsets.UTF_8));
          }
          out.println("\n]");
        } else if (csv) {
          out.println(
              "crawl_id,url,final_url,status,content_type,title,depth,parent,outlinks,bytes,sha256,fetch_ms,error,worker,fetched_at");
          for (PageResult p : pages) {
            out.println(
                String.join(
                    ",",
                    csv(p.crawlId()),
                    csv(p.url()),
                    csv(p.finalUrl()),
                    String.valueOf(p.status()),
                    csv(p.contentType()),
                    csv(p.title()),
                    String.valueOf(p.depth()),
                    csv(p.parent()),
                    String.valueOf(p.outlinks()),
                    String.valueOf(p.bytes()),
                    csv(p.sha256()),
                    String.valueOf(p.fetchMs()),
                    csv(p.error()),
                    csv(p.worker()),
                    p.fetchedAt().toString()));
          }
        } else {
          for (PageResult p : pages) {
            out.printf(
                Locale.ROOT,
                "%3s  depth %d  %s%s%n",
                p.status() == 0 ? "ERR" : String.valueOf(p.status()),
                p.depth(),
                p.url(),
                p.title() == null ? "" : "  \"" + p.title() + "\"");
          }
          out.printf(Locale.ROOT, "%,d page(s)%n", pages.size());
        }
        return 0;
      }
    }

    /** RFC 4180: quote a field when it holds a comma, quote or line break; double the quotes. */
    static String csv(@Nullable String value) {
      if (value == null) {
        return "";
      }
      if (value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
      }
      return value;
    }
  }

  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description = "What happened to one URL of a crawl: fetched when and by whom, or why not.")
  static final class Explain implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID")
    String crawlId;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Mixin ClusterOption cluster;

    @Override
    public Integer call() {
      String normal = CrawlUrls.normalizeOrNull(url);
      if (normal == null) {
        throw new CliException("not an http(s) URL: " + url);
      }
      KafkaSettings kafka = cluster.kafka(CRAWL_TOPICS);
      CrawlJob job = existing(kafka, crawlId);
      try (CrawlTracker tracker = caughtUp(kafka, job)) {
        PrintStream out = System.out;
        PageResult page = tracker.pageOf(normal);
        if (page != null) {
          out.printf(
              Locale.ROOT,
              "%s was fetched at %s by %s: %s, depth %d%s%s%n",
              normal,
              page.fetchedAt(),
              page.worker(),
              page.status() == 0 ? "no answer" : "HTTP " + page.status(),
              page.depth(),
              page.parent() == null ? " (a seed)" : ", linked from " + page.parent(),
              page.url().equals(normal) ? "" : ", as a redirect of " + page.url());
          if (page.error() != null) {
            out.println("  error: " + page.error());
          }
          return 0;
        }
        List<SkippedUrl> skips = tracker.skipsOf(normal);
        if (!skips.isEmpty()) {
          SkippedUrl skip = skips.get(0);
          out.printf(
              Locale.ROOT,
              "%s was not fetched: %s%s (depth %d%s, decided by %s at %s)%n",
              normal,
              skip.reason().label(),
              skip.detail() == null ? "" : ": " + skip.detail(),
              skip.depth(),
              skip.parent() == null ? "" : ", linked from " + skip.parent(),
              skip.worker(),
              skip.at());
          return 0;
        }
        List<FrontierUrl> queued = tracker.frontierOf(normal);
        if (!queued.isEmpty()) {
          out.println(
              normal
                  + " is queued and not fetched yet (linked from "
                  + queued.get(0).parent()
                  + ")");
          return 0;
        }
        out.println(normal + " was never discovered by crawl " + crawlId);
        return 1;
      }
    }
  }
}

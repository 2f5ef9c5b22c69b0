package dev.pipeline.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline site}: a generated site to crawl, and the sequential crawler to compare with. */
@Command(
    name = "site",
    mixinStandardHelpOptions = true,
    description = "A generated web site on loopback addresses, for crawl demos and benchmarks.",
    subcommands = {SiteCommand.Serve.class, SiteCommand.Sequential.class})
final class SiteCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = {
        "Serves a generated site on loopback addresses until Ctrl-C.",
        "PAGES pages over HOSTS addresses (127.0.1.1, 127.0.1.2, ...) on one port, each answering after LATENCY ms. Prints the home page's URL first."
      })
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--pages",
        defaultValue = "5000",
        description = "Pages (default ${DEFAULT-VALUE}).")
    int pages;

    @Option(
        names = "--hosts",
        defaultValue = "8",
        description = "Hosts (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
        names = "--latency",
        paramLabel = "MS",
        defaultValue = "25",
        description = "Delay before each answer, in ms (default ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(
        names = "--port",
        defaultValue = "8400",
        description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--scripted",
        description =
            "Write each page's links with a script (and a <noscript> notice): only a crawl that renders (--render auto|always) finds more than the home page.")
    boolean scripted;

    @Option(
        names = "--login",
        paramLabel = "NAME",
        description =
            "Show the pages only after a login at /login (a form with a CSRF token; anything else redirects there), as the account of credential NAME: PIPELINE_CREDENTIAL_<NAME>_USERNAME and _PASSWORD, as the crawler reads them. Sessions are per host: use with --hosts 1.")
    @org.jspecify.annotations.Nullable
    String login;

    @Override
    public Integer call() throws Exception {
      GeneratedSite.Login account = login == null ? null : account(login, System.getenv());
      CountDownLatch stopped = new CountDownLatch(1);
      try (GeneratedSite site =
          new GeneratedSite(pages, hosts, latencyMs, port, scripted, account)) {
        System.out.println(site.url(0));
        System.err.printf(
            Locale.ROOT,
            "serving %,d %s%spages on %d hosts (127.0.1.1-%s) port %d, %d ms latency; Ctrl-C stops%n",
            pages,
            account != null ? "logged-in " : "",
            scripted ? "scripted " : "",
            hosts,
            GeneratedSite.host(hosts - 1),
            site.port(),
            latencyMs);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        stopped.await();
        System.err.printf(Locale.ROOT, "served %,d requests%n", site.requests());
      }
      return 0;
    }
  }

  /** The account of credential NAME, from the environment variables the crawler reads. */
  static GeneratedSite.Login account(String name, java.util.Map<String, String> env) {
    String prefix = "PIPELINE_CREDENTIAL_" + name.toUpperCase(Locale.ROOT) + "_";
    String username = env.get(prefix + "USERNAME");
    String password = env.get(prefix + "PASSWORD");
    if (username == null || password == null || username.isEmpty() || password.isEmpty()) {
      throw new CliException(
          "--login " + name + ": set " + prefix + "USERNAME and " + prefix + "PASSWORD");
    }
    return new GeneratedSite.Login(username, password);
  }

  @Command(
      name = "crawl-sequential",
      mixinStandardHelpOptions = true,
      description = {
        "The seed's crawler, one fetch at a time: the crawl benchmark's peer.",
        "A deque, a visited set and a depth limit: the peer the crawler-service benchmark compares with. Prints pages, seconds and pages/s."
      })
  static final class Sequential implements Callable<Integer> {
    @Parameters(paramLabel = "URL")
    String url;

    @Option(
        names = "--depth",
        defaultValue = "1000",
        description = "Depth limit (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(
        names = "--max-pages",
        defaultValue = "1000000",
        description = "Stop after this many pages (default ${DEFAULT-VALUE}).")
    long maxPages;

    @Option(names = "--json", description = "Print the outcome as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      SequentialCrawler.Outcome outcome = new SequentialCrawler().crawl(url, depth, maxPages);
      double rate = outcome.pages() / Math.max(outcome.seconds(), 1e-9);
      if (json) {
        System.out.printf(
            Locale.ROOT,
            "{\"pages\":%d,\"errors\":%d,\"seconds\":%.3f,\"pagesPerSecond\":%.1f}%n",
            outcome.pages(),
            outcome.errors(),
            outcome.seconds(),
            rate);
      } else {
        System.out.printf(
            Locale.ROOT,
            "%,d pages (%,d errors) in %.1f s: %.1f pages/s%n",
            outcome.pages(),
            outcome.errors(),
            outcome.seconds(),
            rate);
      }
      return 0;
    }
  }
}

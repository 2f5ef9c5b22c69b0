package dev.pipeline.crawler;

import crawlercommons.domains.EffectiveTldFinder;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlUrls;
import dev.pipeline.core.message.SkippedUrl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/** A crawl job made ready to apply: its patterns compiled, its seeds' hosts and domains known. */
record Crawl(
    CrawlJob job,
    List<Pattern> include,
    List<Pattern> exclude,
    Set<String> seedHosts,
    Set<String> seedDomains,
    List<Pattern> renderPatterns,
    List<Pattern> sequencePatterns,
    @Nullable String authorization) {

  /**
   * Links a logged-in crawl never follows, whatever its own patterns say: a GET to any of them can
   * end the session or change the account. Matched against the whole URL, case-insensitively, as a
   * word between separators (so "/logout", "?action=delete", "/items/remove-all" but not
   * "/deleted-scenes").
   */
  static final Pattern DESTRUCTIVE =
      Pattern.compile(
          "(?i)(?:^|[/?&=#._-])(?:log[-_]?out|log[-_]?off|sign[-_]?out|sign[-_]?off|delete|remove"
              + "|destroy|deactivate|unsubscribe|revoke|terminate|drop)(?:$|[/?&=#._-])");

  /**
   * The crawl as this process runs it; {@code credentials} give a basic-auth credential the crawl
   * names (when this process does not hold it, {@link #missingCredential} says so).
   */
  static Crawl of(CrawlJob job, Credentials credentials) {
    Set<String> hosts = job.seeds().stream().map(CrawlUrls::hostKey).collect(Collectors.toSet());
    Set<String> domains =
        job.seeds().stream()
            .map(seed -> domain(URI.create(seed).getHost()))
            .collect(Collectors.toSet());
    return new Crawl(
        job,
        job.include().stream().map(Pattern::compile).toList(),
        java.util.stream.Stream.concat(
                job.exclude().stream().map(Pattern::compile),
                job.login() == null
                    ? java.util.stream.Stream.empty()
                    : java.util.stream.Stream.of(DESTRUCTIVE))
            .toList(),
        Set.copyOf(hosts),
        Set.copyOf(domains),
        job.renderPatterns().stream().map(Pattern::compile).toList(),
        job.sequences().stream().map(sequence -> Pattern.compile(sequence.on())).toList(),
        authorization(job, credentials));
  }

  /**
   * The Authorization header of the crawl's basic auth, or null without one (or its credential).
   */
  private static @Nullable String authorization(CrawlJob job, Credentials credentials) {
    String userPassword = job.basicAuth();
    if (job.basicAuthCredential() != null) {
      Credentials.Credential held = credentials.get(job.basicAuthCredential());
      userPassword = held == null ? null : held.username() + ":" + held.password();
    }
    return userPassword == null
        ? null
        : "Basic "
            + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
  }

  /** Why this process cannot crawl with the crawl's basic-auth credential, or null if it can. */
  @Nullable String missingCredential(String worker) {
    String name = job.basicAuthCredential();
    if (name == null || authorization != null) {
      return null;
    }
    return "basic auth with credential " + name + " failed: " + Credentials.missing(worker, name);
  }

  /** Names the crawl only: the generated form would print its Authorization header. */
  @Override
  public String toString() {
    return "Crawl[" + job.crawlId() + "]";
  }

  String id() {
    return job.crawlId();
  }

  /**
   * Returns why a discovered link at {@code depth} is not followed (scope, patterns, depth), or
   * null to follow it.
   */
  SkippedUrl.@Nullable Reason refusal(String normalUrl, int depth) {
    boolean inScope =
        switch (job.scope()) {
          case SAME_HOST -> seedHosts.contains(CrawlUrls.hostKey(normalUrl));
          case SAME_DOMAIN -> seedDomains.contains(domain(URI.create(normalUrl).getHost()));
          case ANY -> true;
        };
    if (!inScope) {
      return SkippedUrl.Reason.OUT_OF_SCOPE;
    }
    if (!include.isEmpty() && include.stream().noneMatch(p -> p.matcher(normalUrl).find())) {
      return SkippedUrl.Reason.EXCLUDED;
    }
    if (exclude.stream().anyMatch(p -> p.matcher(normalUrl).find())) {
      return SkippedUrl.Reason.EXCLUDED;
    }
    if (depth > job.maxDepth()) {
      return SkippedUrl.Reason.BEYOND_DEPTH;
    }
    return null;
  }

  /**
   * Adds the crawl's user agent, and its headers, cookies and basic auth when the request goes to
   * one of the seeds' hosts (credentials never follow links to other hosts).
   */
  Request.Builder decorate(Request.Builder request, String hostKey) {
    request.header("User-Agent", job.userAgent());
    if (!seedHosts.contains(hostKey)) {
      return request;
    }
    for (String header : job.headers()) {
      int colon = header.indexOf(':');
      request.addHeader(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
    }
    if (!job.cookies().isEmpty()) {
      request.header("Cookie", String.join("; ", job.cookies()));
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request;
  }

  /**
   * Whether a fetched HTML page is rendered too: always, for a URL matching a render pattern, or
   * with AUTO when the page shows the crawl's render signal (by default: a body without text, or a
   * {@code <noscript>}, the marks of a page built by scripts).
   */
  boolean needsRender(String url, org.jsoup.nodes.Document page) {
    if (!stepsFor(url).isEmpty() || renderPatterns.stream().anyMatch(p -> p.matcher(url).find())) {
      return true;
    }
    return switch (job.render()) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTO ->
          job.renderSignal() != null
              ? page.selectFirst(job.renderSignal()) != null
              : page.body().text().isBlank() || page.selectFirst("noscript") != null;
    };
  }

  /** The browser steps of every sequence whose pattern matches {@code url}, in order. */
  List<dev.pipeline.core.message.CrawlStep> stepsFor(String url) {
    List<dev.pipeline.core.message.CrawlStep> steps = new java.util.ArrayList<>();
    for (int i = 0; i < sequencePatterns.size(); i++) {
      if (sequencePatterns.get(i).matcher(url).find()) {
        steps.addAll(job.sequences().get(i).steps());
      }
    }
    return steps;
  }

  /** The registered domain of a host (www.example.co.uk -> example.co.uk); an IP is its own. */
  static String domain(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    String assigned = EffectiveTldFinder.getAssignedDomain(lower, false, false);
    return assigned == null ? lower : assigned;
  }
}

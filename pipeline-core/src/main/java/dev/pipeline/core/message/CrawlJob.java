package dev.pipeline.core.message;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A crawl as submitted: its seeds and the rules every crawler applies to it. Keyed by crawl id on
 * the compacted {@code crawl.jobs} topic, which every crawler reads whole. Seeds are normalised
 * here, so every reader sees the same URLs.
 *
 * @param headers extra request headers, each {@code "Name: value"}, sent to the seeds' hosts
 * @param cookies cookies, each {@code "name=value"}, sent to the seeds' hosts
 * @param basicAuth {@code "user:password"} for HTTP basic auth on the seeds' hosts; it travels in
 *     clear with the crawl, so for a secret name a credential instead
 * @param basicAuthCredential for HTTP basic auth on the seeds' hosts: the name of a credential the
 *     crawlers hold (as a login's), so the password never travels with the crawl
 * @param login how the crawlers log in before fetching, or null for none
 * @param render when a page is rendered in a browser after it is fetched
 * @param renderPatterns URLs matching one of these are always rendered
 * @param renderSignal with AUTO: a CSS selector whose presence means the page needs rendering
 *     (default: a body without text, or a {@code <noscript>})
 * @param sequences browser steps taken on the pages whose URL matches (those are rendered)
 */
public record CrawlJob(
    int v,
    String crawlId,
    List<String> seeds,
    int maxDepth,
    @Nullable Integer maxPages,
    Scope scope,
    List<String> include,
    List<String> exclude,
    long delayMs,
    int perHostConcurrency,
    String userAgent,
    List<String> headers,
    List<String> cookies,
    @Nullable String basicAuth,
    @Nullable String basicAuthCredential,
    boolean ignoreRobots,
    boolean allowPrivateAddresses,
    Instant submittedAt,
    @Nullable CrawlLogin login,
    Render render,
    List<String> renderPatterns,
    @Nullable String renderSignal,
    List<CrawlSequence> sequences) {

  /** When a fetched HTML page is also rendered in headless Chromium. */
  public enum Render {
    NEVER,
    /** When the page looks as if it needs JavaScript (see {@code renderSignal}). */
    AUTO,
    ALWAYS
  }

  /** Which discovered links a crawl follows. */
  public enum Scope {
    SAME_HOST,
    SAME_DOMAIN,
    ANY
  }

  public CrawlJob {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    seeds = Fields.list(seeds, "seeds", 10_000);
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("seeds is required: at least one URL");
    }
    seeds = seeds.stream().map(seed -> CrawlUrls.normalize(seed, "seed")).distinct().toList();
    Fields.atLeast(maxDepth, 0, "maxDepth");
    if (maxPages != null) {
      Fields.atLeast(maxPages, 1, "maxPages");
    }
    Fields.required(scope, "scope");
    include = patterns(include, "include");
    exclude = patterns(exclude, "exclude");
    Fields.atLeast(delayMs, 0L, "delayMs");
    Fields.atLeast(perHostConcurrency, 1, "perHostConcurrency");
    Fields.text(userAgent, "userAgent", Fields.MAX_NAME);
    headers = Fields.list(headers, "headers", 50);
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon < 1 || !header.substring(0, colon).strip().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new IllegalArgumentException("header must look like 'Name: value': " + header);
      }
      if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header must be one line: " + header.strip());
      }
    }
    cookies = Fields.list(cookies, "cookies", 50);
    for (String cookie : cookies) {
      if (!cookie.matches("[^=;\\s]+=[^;\\r\\n]*")) {
        throw new IllegalArgumentException("cookie must look like 'name=value': " + cookie);
      }
    }
    if (basicAuth != null && basicAuth.indexOf(':') < 1) {
      throw new IllegalArgumentException("basicAuth must look like 'user:password'");
    }
    if (basicAuthCredential != null) {
      CrawlLogin.credentialName(basicAuthCredential, "basicAuthCredential");
      if (basicAuth != null) {
        throw new IllegalArgumentException(
            "basicAuthCredential cannot go with basicAuth: give one");
      }
    }
    Fields.required(submittedAt, "submittedAt");
    render = render == null ? Render.NEVER : render;
    sequences = Fields.list(sequences, "sequences", 20);
    renderPatterns = patterns(renderPatterns, "renderPatterns");
    if (renderSignal != null) {
      Fields.text(renderSignal, "renderSignal", Fields.MAX_NAME);
      try {
        org.jsoup.select.Selector.evaluatorOf(renderSignal);
      } catch (org.jsoup.select.Selector.SelectorParseException e) {
        throw new IllegalArgumentException("renderSignal is not a CSS selector: " + e.getMessage());
      }
    }
  }

  private static List<String> patterns(@Nullable List<String> values, String field) {
    List<String> copy = Fields.list(values, field, 100);
    for (String regex : copy) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            field
                + " is not a valid regular expression: "
                + regex
                + " ("
                + e.getDescription()
                + ")");
      }
    }
    return copy;
  }
}

package dev.pipeline.core.crawl;

import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlSequence;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A crawl as a person asks for it, every option but the URLs optional: the body of {@code POST
 * /v1/crawls}, and what {@code pipeline crawl} builds from its flags. {@link #toJob} applies the
 * defaults, so both ways in crawl alike.
 */
public record CrawlRequest(
    List<String> urls,
    @Nullable Integer depth,
    @Nullable Integer maxPages,
    @Nullable String scope,
    @Nullable List<String> include,
    @Nullable List<String> exclude,
    @Nullable Long delayMs,
    @Nullable Integer perHostConcurrency,
    @Nullable String userAgent,
    @Nullable List<String> headers,
    @Nullable List<String> cookies,
    @Nullable String basicAuth,
    @Nullable String basicAuthCredential,
    @Nullable Boolean ignoreRobots,
    @Nullable Boolean allowPrivateAddresses,
    @Nullable String id,
    @Nullable CrawlLogin login,
    @Nullable String render,
    @Nullable List<String> renderPatterns,
    @Nullable String renderSignal,
    @Nullable List<CrawlSequence> sequences) {

  public static final int DEFAULT_DEPTH = 2;
  public static final long DEFAULT_DELAY_MS = 500;
  public static final int DEFAULT_PER_HOST_CONCURRENCY = 1;
  public static final String DEFAULT_USER_AGENT = "pipeline-crawler/0.1";
  public static final String DEFAULT_SCOPE = "same-host";

  /**
   * Returns the crawl job, or throws {@link IllegalArgumentException} with the reason (named as
   * this request's fields) when an option is bad.
   */
  public CrawlJob toJob(Instant now) {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("urls is required: at least one URL to crawl");
    }
    String crawlId =
        id != null
            ? id
            : "crawl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    try {
      return new CrawlJob(
          1,
          crawlId,
          urls,
          depth == null ? DEFAULT_DEPTH : depth,
          maxPages,
          scope(scope == null ? DEFAULT_SCOPE : scope),
          include,
          exclude,
          delayMs == null ? DEFAULT_DELAY_MS : delayMs,
          perHostConcurrency == null ? DEFAULT_PER_HOST_CONCURRENCY : perHostConcurrency,
          userAgent == null ? DEFAULT_USER_AGENT : userAgent,
          headers,
          cookies,
          basicAuth,
          basicAuthCredential,
          Boolean.TRUE.equals(ignoreRobots),
          Boolean.TRUE.equals(allowPrivateAddresses),
          now,
          login,
          render(render == null ? "never" : render),
          renderPatterns,
          renderSignal,
          sequences);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage()
              .replace("maxDepth", "depth")
              .replaceFirst("^seed ", "url ")
              .replace("crawlId", "id"),
          e);
    }
  }

  private static CrawlJob.Render render(String render) {
    return switch (render.toLowerCase(Locale.ROOT)) {
      case "never" -> CrawlJob.Render.NEVER;
      case "auto" -> CrawlJob.Render.AUTO;
      case "always" -> CrawlJob.Render.ALWAYS;
      default ->
          throw new IllegalArgumentException(
              "render must be never, auto or always, not '" + render + "'");
    };
  }

  private static CrawlJob.Scope scope(String scope) {
    return switch (scope.toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "same-host" -> CrawlJob.Scope.SAME_HOST;
      case "same-domain" -> CrawlJob.Scope.SAME_DOMAIN;
      case "any" -> CrawlJob.Scope.ANY;
      default ->
          throw new IllegalArgumentException(
              "scope must be same-host, same-domain or any, not '" + scope + "'");
    };
  }
}

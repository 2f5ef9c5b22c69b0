package dev.pipeline.core.message;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A crawl as submitted: its seeds and the rules every crawler applies to it. Keyed by crawl id on
 * the compacted {@code crawl.jobs} topic, which every crawler reads whole.
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
    boolean ignoreRobots,
    boolean allowPrivateAddresses,
    Instant submittedAt) {

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
    seeds.forEach(seed -> Fields.httpUrl(seed, "seed"));
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
    Fields.required(submittedAt, "submittedAt");
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

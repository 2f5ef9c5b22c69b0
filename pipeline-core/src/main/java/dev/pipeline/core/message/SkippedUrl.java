package dev.pipeline.core.message;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A URL a crawl discovered and did not fetch, with the reason. Keyed by crawl id and URL on {@code
 * crawl.skipped}.
 *
 * @param frontier the frontier record it settles ({@code partition:offset}), or null when it was
 *     skipped before reaching the frontier
 */
public record SkippedUrl(
    int v,
    String crawlId,
    String url,
    Reason reason,
    @Nullable String detail,
    int depth,
    @Nullable String parent,
    @Nullable String frontier,
    String worker,
    Instant at) {

  /** Why a URL was not fetched. */
  public enum Reason {
    OUT_OF_SCOPE("out of scope"),
    EXCLUDED("excluded by pattern"),
    BEYOND_DEPTH("beyond depth"),
    ALREADY_SEEN("already seen"),
    ROBOTS("disallowed by robots.txt"),
    MAX_PAGES("over max-pages"),
    REFUSED_ADDRESS("refused address"),
    CANCELLED("crawl cancelled"),
    FAILED("crawl failed");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public SkippedUrl {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.text(url, "url", Fields.MAX_URL);
    Fields.required(reason, "reason");
    Fields.optionalText(detail, "detail", Fields.MAX_TEXT);
    Fields.atLeast(depth, 0, "depth");
    Fields.optionalText(parent, "parent", Fields.MAX_URL);
    Fields.optionalText(frontier, "frontier", Fields.MAX_NAME);
    Fields.text(worker, "worker", Fields.MAX_NAME);
    Fields.required(at, "at");
  }
}

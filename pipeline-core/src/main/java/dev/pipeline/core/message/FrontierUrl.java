package dev.pipeline.core.message;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import org.jspecify.annotations.Nullable;

/**
 * A URL waiting to be fetched for a crawl. Keyed by host on {@code crawl.frontier}.
 *
 * @param redirects how many redirects led here from the page that linked it (a redirect to another
 *     host is handed on through the frontier at the same depth, so this bounds such chains)
 */
public record FrontierUrl(
    int v,
    String crawlId,
    String url,
    int depth,
    @Nullable String parent,
    @JsonSetter(nulls = Nulls.AS_EMPTY) int redirects) {
  public static final int MAX_REDIRECTS = 10;

  public FrontierUrl {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.httpUrl(url, "url");
    Fields.atLeast(depth, 0, "depth");
    Fields.optionalText(parent, "parent", Fields.MAX_URL);
    if (redirects < 0 || redirects > MAX_REDIRECTS) {
      throw new IllegalArgumentException("redirects must be 0-" + MAX_REDIRECTS + ": " + redirects);
    }
  }
}

package dev.pipeline.core.message;

import org.jspecify.annotations.Nullable;

/** A URL waiting to be fetched for a crawl. Keyed by host on {@code crawl.frontier}. */
public record FrontierUrl(int v, String crawlId, String url, int depth, @Nullable String parent) {
  public FrontierUrl {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.httpUrl(url, "url");
    Fields.atLeast(depth, 0, "depth");
    Fields.optionalText(parent, "parent", Fields.MAX_URL);
  }
}

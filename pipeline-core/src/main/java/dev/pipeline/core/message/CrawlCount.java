package dev.pipeline.core.message;

import java.time.Instant;

/**
 * How many pages one crawler process has fetched for a crawl. Keyed by crawl id and worker on the
 * compacted {@code crawl.counts}; every crawler sums them to hold {@code maxPages} across
 * processes.
 */
public record CrawlCount(int v, String crawlId, String worker, long fetched, Instant at) {
  public CrawlCount {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.text(worker, "worker", Fields.MAX_NAME);
    Fields.atLeast(fetched, 0L, "fetched");
    Fields.required(at, "at");
  }
}

package dev.pipeline.core.message;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** What fetching one URL of a crawl gave. Keyed by crawl id and URL on {@code crawl.pages}. */
public record PageResult(
    int v,
    String crawlId,
    String url,
    String finalUrl,
    int status,
    @Nullable String contentType,
    @Nullable String title,
    int depth,
    @Nullable String parent,
    int outlinks,
    long bytes,
    @Nullable String sha256,
    long fetchMs,
    @Nullable String error,
    String worker,
    Instant fetchedAt) {

  public PageResult {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.text(url, "url", Fields.MAX_URL);
    Fields.text(finalUrl, "finalUrl", Fields.MAX_URL);
    Fields.atLeast(status, 0, "status");
    Fields.optionalText(contentType, "contentType", Fields.MAX_NAME);
    Fields.optionalText(title, "title", Fields.MAX_TEXT);
    Fields.atLeast(depth, 0, "depth");
    Fields.atLeast(outlinks, 0, "outlinks");
    Fields.atLeast(bytes, 0L, "bytes");
    Fields.atLeast(fetchMs, 0L, "fetchMs");
    Fields.optionalText(error, "error", Fields.MAX_TEXT);
    Fields.text(worker, "worker", Fields.MAX_NAME);
    Fields.required(fetchedAt, "fetchedAt");
  }
}

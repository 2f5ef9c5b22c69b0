package dev.pipeline.core.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What fetching one URL of a crawl gave. Keyed by crawl id and URL on {@code crawl.pages}.
 *
 * @param redirects the URLs redirected through, in order, before {@code finalUrl}
 * @param frontier the frontier record it settles, {@code partition:offset}
 * @param renderMs how long rendering it in the browser took, or null when it was not rendered
 * @param extracted what the crawl's browser steps read on the page, by the names they gave it
 *     (texts, storage values, scripts' JSON results, screenshot paths)
 */
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
    List<String> redirects,
    @Nullable String frontier,
    String worker,
    Instant fetchedAt,
    @Nullable Long renderMs,
    @Nullable Map<String, Object> extracted) {

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
    redirects = Fields.list(redirects, "redirects", 20);
    Fields.optionalText(frontier, "frontier", Fields.MAX_NAME);
    Fields.text(worker, "worker", Fields.MAX_NAME);
    Fields.required(fetchedAt, "fetchedAt");
    extracted =
        extracted == null || extracted.isEmpty()
            ? null
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extracted));
  }

  public boolean rendered() {
    return renderMs != null;
  }
}

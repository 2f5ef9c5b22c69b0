package dev.pipeline.core.message;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The state a crawl was last set to. Keyed by crawl id on the compacted {@code crawl.control}.
 *
 * @param reason why a crawl FAILED (a crawler sets it), or null
 */
public record CrawlControl(
    int v, String crawlId, State state, Instant at, @Nullable String reason) {

  /** What crawlers do with a crawl's URLs. */
  public enum State {
    RUNNING,
    PAUSED,
    CANCELLED,
    /** A crawler could not go on with it (its login failed); like CANCELLED, with a reason. */
    FAILED
  }

  public CrawlControl(int v, String crawlId, State state, Instant at) {
    this(v, crawlId, state, at, null);
  }

  public CrawlControl {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.required(state, "state");
    Fields.required(at, "at");
    Fields.optionalText(reason, "reason", Fields.MAX_TEXT);
  }
}

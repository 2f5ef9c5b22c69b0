package dev.pipeline.core.message;

import java.time.Instant;

/** The state a crawl was last set to. Keyed by crawl id on the compacted {@code crawl.control}. */
public record CrawlControl(int v, String crawlId, State state, Instant at) {

  /** What crawlers do with a crawl's URLs. */
  public enum State {
    RUNNING,
    PAUSED,
    CANCELLED
  }

  public CrawlControl {
    Fields.version(v);
    Fields.text(crawlId, "crawlId", Fields.MAX_ID);
    Fields.required(state, "state");
    Fields.required(at, "at");
  }
}

-- Crawl pages, one per (crawl, url): a page fetched again (its crawler was killed mid-fetch, or it
-- was reached again by a shorter path) keeps the row of its shallowest depth.
CREATE TABLE IF NOT EXISTS crawl_pages (
  crawl_id VARCHAR(128) NOT NULL,
  url TEXT NOT NULL,
  final_url TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT,
  title TEXT,
  depth INTEGER NOT NULL,
  parent TEXT,
  outlinks INTEGER NOT NULL,
  bytes BIGINT NOT NULL,
  sha256 VARCHAR(64),
  fetch_ms BIGINT NOT NULL,
  error TEXT,
  worker VARCHAR(256) NOT NULL,
  fetched_at BIGINT NOT NULL,
  PRIMARY KEY (crawl_id, url)
);
CREATE INDEX IF NOT EXISTS crawl_pages_status ON crawl_pages (crawl_id, status);

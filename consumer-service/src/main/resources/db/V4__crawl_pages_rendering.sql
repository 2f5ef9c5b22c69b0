-- Rendered pages: how long the browser took (NULL: not rendered), and what the crawl's browser
-- steps read on the page, as JSON (NULL: nothing).
ALTER TABLE crawl_pages ADD COLUMN render_ms BIGINT;
ALTER TABLE crawl_pages ADD COLUMN extracted TEXT;

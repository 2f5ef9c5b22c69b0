package dev.pipeline.consumer;

import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.runtime.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;

/**
 * The rows of a batch of crawl pages, keyed by crawl and URL. A page fetched twice replaces its row
 * only when it was reached at a shallower depth, so the store shows each page's true depth.
 */
final class CrawlPageRows implements TransactionalSink.Rows<PageResult> {
  private static final dev.pipeline.core.message.MessageCodec CODEC =
      dev.pipeline.core.message.MessageCodec.standard();

  @Override
  public void insert(Connection connection, List<Job<PageResult>> batch) throws Exception {
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO crawl_pages (crawl_id, url, final_url, status, content_type, title, depth,"
                + " parent, outlinks, bytes, sha256, fetch_ms, error, worker, fetched_at,"
                + " render_ms, extracted)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (crawl_id, url) DO UPDATE SET final_url = excluded.final_url,"
                + " status = excluded.status, content_type = excluded.content_type,"
                + " title = excluded.title, depth = excluded.depth, parent = excluded.parent,"
                + " outlinks = excluded.outlinks, bytes = excluded.bytes,"
                + " sha256 = excluded.sha256, fetch_ms = excluded.fetch_ms,"
                + " error = excluded.error, worker = excluded.worker,"
                + " fetched_at = excluded.fetched_at, render_ms = excluded.render_ms,"
                + " extracted = excluded.extracted"
                + " WHERE excluded.depth < crawl_pages.depth")) {
      for (Job<PageResult> job : batch) {
        PageResult p = job.message();
        upsert.setString(1, p.crawlId());
        upsert.setString(2, p.url());
        upsert.setString(3, p.finalUrl());
        upsert.setInt(4, p.status());
        upsert.setString(5, p.contentType());
        upsert.setString(6, p.title());
        upsert.setInt(7, p.depth());
        upsert.setString(8, p.parent());
        upsert.setInt(9, p.outlinks());
        upsert.setLong(10, p.bytes());
        upsert.setString(11, p.sha256());
        upsert.setLong(12, p.fetchMs());
        upsert.setString(13, p.error());
        upsert.setString(14, p.worker());
        upsert.setLong(15, p.fetchedAt().toEpochMilli());
        upsert.setObject(16, p.renderMs(), java.sql.Types.BIGINT);
        upsert.setString(
            17,
            p.extracted() == null
                ? null
                : new String(CODEC.encode(p.extracted()), java.nio.charset.StandardCharsets.UTF_8));
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }
}

package dev.pipeline.consumer;

import static dev.pipeline.consumer.ExactlyOnceStoreIT.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.testing.JavaProcess;
import dev.pipeline.core.testing.Topic;
import dev.pipeline.localkafka.testkit.KafkaBrokerExtension;
import dev.pipeline.localkafka.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crawl pages published more than once (a crawler killed mid-fetch, a page reached again by a
 * shorter path) are stored once per crawl and URL, with their shallowest depth.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrawlPagesStoreIT {
  private static final int PAGES = 500;

  @TempDir Path dir;

  @Test
  void sqliteStoresEachPageOnceAtItsShallowestDepth(TestBroker broker) throws Exception {
    storeTwice(broker, "jdbc:sqlite:" + dir.resolve("pages.db"));
  }

  @Test
  void postgresStoresEachPageOnceAtItsShallowestDepth(TestBroker broker) throws Exception {
    PostgresSchema.in(broker.unique("pages"), dbUrl -> storeTwice(broker, dbUrl));
  }

  private void storeTwice(TestBroker broker, String dbUrl) throws Exception {
    Topic pages = new Topic(broker.bootstrapServers(), broker.unique("pages")).create(3);
    new Topic(broker.bootstrapServers(), pages.name() + ".dlq").create(1);
    String crawl = broker.unique("crawl");
    // Every page twice: first at depth 3, then again at depth 1; a third of them a third time,
    // deeper.
    List<String> keys = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int depth : new int[] {3, 1, 4}) {
      for (int i = 0; i < PAGES; i++) {
        if (depth == 4 && i % 3 != 0) {
          continue;
        }
        String url = "http://example.com/p" + i;
        keys.add(crawl + " " + url);
        values.add(page(crawl, url, depth));
      }
    }
    pages.send(keys, values);
    try (JavaProcess store =
        JavaProcess.start(
            "store",
            ConsumerService.class,
            "--bootstrap",
            broker.bootstrapServers(),
            "--group",
            broker.unique("store"),
            "--topic",
            broker.unique("unused-logs"),
            "--pages-topic",
            pages.name(),
            "--db-url",
            dbUrl,
            "--http-port",
            "0",
            "--partitions",
            "1")) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  count(
                          dbUrl,
                          "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offsets WHERE topic = '"
                              + pages.name()
                              + "'")
                      == values.size());
    }
    assertThat(count(dbUrl, "SELECT COUNT(*) FROM crawl_pages WHERE crawl_id = '" + crawl + "'"))
        .isEqualTo(PAGES);
    assertThat(count(dbUrl, "SELECT MAX(depth) FROM crawl_pages WHERE crawl_id = '" + crawl + "'"))
        .isEqualTo(1);
    // A rendered page keeps its render time and what the browser steps read.
    assertThat(
            count(
                dbUrl,
                "SELECT COUNT(*) FROM crawl_pages WHERE render_ms = 42 AND extracted"
                    + " = '{\"links\":[\"next\"]}' AND crawl_id = '"
                    + crawl
                    + "'"))
        .isEqualTo(PAGES);
  }

  private static String page(String crawl, String url, int depth) {
    return new String(
        MessageCodec.standard()
            .encode(
                new PageResult(
                    1,
                    crawl,
                    url,
                    url,
                    200,
                    "text/html",
                    "title",
                    depth,
                    null,
                    0,
                    10,
                    "0".repeat(64),
                    5,
                    null,
                    List.of(),
                    "0:0",
                    "w",
                    Instant.now(),
                    42L,
                    java.util.Map.of("links", List.of("next")))),
        StandardCharsets.UTF_8);
  }
}

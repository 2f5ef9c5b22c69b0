package dev.pipeline.cli;

import dev.pipeline.core.message.CrawlUrls;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

/**
 * The seed's crawler, kept as the benchmark's peer: a deque of URLs, a visited set, a depth limit,
 * one fetch at a time. Links are taken with jsoup and normalised as the crawler does, so both do
 * the same work per page.
 */
final class SequentialCrawler {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** What a crawl did. */
  record Outcome(long pages, long errors, double seconds) {}

  Outcome crawl(String seed, int maxDepth, long maxPages) throws Exception {
    record Entry(String url, int depth) {}
    String start = CrawlUrls.normalize(seed, "URL");
    ArrayDeque<Entry> queue = new ArrayDeque<>();
    Set<String> visited = new HashSet<>();
    queue.add(new Entry(start, 0));
    visited.add(start);
    long pages = 0;
    long errors = 0;
    long began = System.nanoTime();
    while (!queue.isEmpty() && pages < maxPages) {
      Entry entry = queue.poll();
      HttpResponse<byte[]> response;
      try {
        response =
            client.send(
                HttpRequest.newBuilder(URI.create(entry.url()))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
      } catch (java.io.IOException e) {
        pages++;
        errors++;
        continue;
      }
      pages++;
      if (response.statusCode() >= 400) {
        errors++;
        continue;
      }
      if (entry.depth() >= maxDepth) {
        continue;
      }
      for (Element link :
          Jsoup.parse(new ByteArrayInputStream(response.body()), null, entry.url())
              .select("a[href], area[href]")) {
        String url = CrawlUrls.normalizeOrNull(link.absUrl("href"));
        if (url != null && visited.add(url)) {
          queue.add(new Entry(url, entry.depth() + 1));
        }
      }
    }
    return new Outcome(pages, errors, (System.nanoTime() - began) / 1e9);
  }
}

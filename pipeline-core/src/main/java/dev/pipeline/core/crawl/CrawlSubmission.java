package dev.pipeline.core.crawl;

import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlUrls;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.net.AddressPolicy;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Starts a crawl: the job onto {@code crawl.jobs} (and RUNNING onto {@code crawl.control}), and
 * once Kafka has them, the seeds onto the frontier. The CLI and producer-service's {@code POST
 * /v1/crawls} both submit through here.
 */
public final class CrawlSubmission {
  private CrawlSubmission() {}

  /**
   * Returns why a seed may not be crawled by a crawl that does not allow private addresses (its
   * host is or resolves here to a loopback, private, link-local... address), or null. Crawlers
   * check again at connect time; this gives the clear error at submission.
   */
  public static @Nullable String refusedSeed(CrawlJob job) {
    if (job.allowPrivateAddresses()) {
      return null;
    }
    for (String seed : job.seeds()) {
      String host = URI.create(seed).getHost();
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        continue; // the crawlers may resolve it differently; they check at connect time
      }
      for (InetAddress address : addresses) {
        String refusal = AddressPolicy.PUBLIC_ONLY.refusal(address);
        if (refusal != null) {
          String where =
              host.equals(address.getHostAddress())
                  ? ""
                  : host + " resolves to " + address.getHostAddress() + ": ";
          return "seed "
              + seed
              + " is refused: "
              + where
              + refusal
              + " (--allow-private-addresses crawls it anyway)";
        }
      }
    }
    return null;
  }

  /** Publishes the crawl and its seeds and waits until Kafka has acknowledged them all. */
  public static void submit(Publisher publisher, CrawlJob job) {
    await(
        List.of(
            publisher.publish(Topics.CRAWL_JOBS, job.crawlId(), job),
            publisher.publish(
                Topics.CRAWL_CONTROL,
                job.crawlId(),
                new CrawlControl(
                    1, job.crawlId(), CrawlControl.State.RUNNING, job.submittedAt()))));
    List<CompletableFuture<?>> seeds = new ArrayList<>();
    for (String seed : job.seeds()) {
      seeds.add(
          publisher.publish(
              Topics.CRAWL_FRONTIER,
              CrawlUrls.hostKey(seed),
              new FrontierUrl(1, job.crawlId(), seed, 0, null, 0)));
    }
    await(seeds);
  }

  private static void await(List<CompletableFuture<?>> acks) {
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka did not take the crawl: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not acknowledge the crawl within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while submitting the crawl", e);
    }
  }
}

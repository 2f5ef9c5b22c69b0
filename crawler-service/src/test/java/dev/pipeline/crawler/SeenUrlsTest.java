package dev.pipeline.crawler;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SeenUrlsTest {
  @Test
  void claimsOnceAndAgainOnlyWhenReachedShallower() {
    SeenUrls seen = new SeenUrls();
    long url = SeenUrls.fingerprint("c1", "http://example.com/a");
    assertThat(seen.claim(url, 3)).isEqualTo(SeenUrls.Claim.NEW);
    assertThat(seen.claim(url, 3)).isEqualTo(SeenUrls.Claim.SEEN);
    assertThat(seen.claim(url, 4)).isEqualTo(SeenUrls.Claim.SEEN);
    assertThat(seen.claim(url, 1)).isEqualTo(SeenUrls.Claim.SHALLOWER);
    assertThat(seen.claim(url, 2)).isEqualTo(SeenUrls.Claim.SEEN);
    assertThat(seen.claim(SeenUrls.fingerprint("c2", "http://example.com/a"), 3))
        .as("another crawl's URL")
        .isEqualTo(SeenUrls.Claim.NEW);
  }

  @Test
  void restoredClaimsKeepTheShallowestDepth() {
    SeenUrls seen = new SeenUrls();
    long url = SeenUrls.fingerprint("c1", "http://example.com/a");
    seen.restore(url, 4);
    seen.restore(url, 2);
    seen.restore(url, 5);
    assertThat(seen.claim(url, 2)).isEqualTo(SeenUrls.Claim.SEEN);
    assertThat(seen.claim(url, 1)).isEqualTo(SeenUrls.Claim.SHALLOWER);
  }

  /** Reports (does not assert) the heap a million seen URLs take; the README quotes it. */
  @Test
  void aMillionUrls() {
    System.gc();
    long before = usedHeap();
    SeenUrls seen = new SeenUrls();
    for (int i = 0; i < 1_000_000; i++) {
      seen.claim(
          SeenUrls.fingerprint("crawl-1", "http://site" + (i % 97) + ".example/page/" + i), 2);
    }
    System.gc();
    long after = usedHeap();
    assertThat(seen.size()).isEqualTo(1_000_000);
    // The peer: the seed's visited set of URL strings.
    java.util.Set<String> strings = new java.util.HashSet<>();
    for (int i = 0; i < 1_000_000; i++) {
      strings.add("crawl-1 http://site" + (i % 97) + ".example/page/" + i);
    }
    System.gc();
    long withStrings = usedHeap();
    assertThat(strings).hasSize(1_000_000);
    System.out.printf(
        Locale.ROOT,
        "SeenUrls: %.1f bytes per URL at 1,000,000 URLs; a HashSet<String> of them: %.1f%n",
        (after - before) / 1e6,
        (withStrings - after) / 1e6);
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

package dev.pipeline.core.message;

import crawlercommons.filters.basic.BasicURLNormalizer;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The one way a crawl URL is written: crawler-commons' normaliser (lower-case scheme and host, no
 * default port, no fragment, dot segments resolved, percent-encoding made canonical), http and
 * https only. Two spellings of one page normalise to one string, which is what dedup compares.
 */
public final class CrawlUrls {
  private static final BasicURLNormalizer NORMALIZER = new BasicURLNormalizer();

  private CrawlUrls() {}

  /** Returns the normal form of an http(s) URL, or null if it is not one. */
  public static @Nullable String normalizeOrNull(@Nullable String url) {
    if (url == null || url.isBlank() || url.length() > Fields.MAX_URL) {
      return null;
    }
    String normal = NORMALIZER.filter(url.strip());
    if (normal == null) {
      return null;
    }
    try {
      URI uri = new URI(normal);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme();
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        return null;
      }
    } catch (URISyntaxException e) {
      return null;
    }
    return normal;
  }

  /** Returns the normal form of an http(s) URL, or throws with the reason. */
  public static String normalize(String url, String field) {
    Fields.httpUrl(url, field);
    String normal = normalizeOrNull(url);
    if (normal == null) {
      throw new IllegalArgumentException(field + " is not a URL a crawler can fetch: " + url);
    }
    return normal;
  }

  /**
   * Returns the politeness unit of a normalised URL: its host, with the port when it is not the
   * scheme's default. The frontier is keyed by it, so one crawler owns a host at a time.
   */
  public static String hostKey(String normalUrl) {
    URI uri = URI.create(normalUrl);
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
  }
}

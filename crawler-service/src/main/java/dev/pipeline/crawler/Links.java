package dev.pipeline.crawler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jspecify.annotations.Nullable;

/** The title and links of an HTML page, resolved against its URL or its {@code <base href>}. */
record Links(@Nullable String title, Set<String> urls) {
  static final Links NONE = new Links(null, Set.of());

  static boolean isHtml(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return type.startsWith("text/html") || type.startsWith("application/xhtml+xml");
  }

  /** A redirect's Location resolved against the URL that sent it (as it is, if unreadable). */
  static String resolve(String base, String location) {
    try {
      return java.net.URI.create(base).resolve(location.strip()).toString();
    } catch (IllegalArgumentException e) {
      return location;
    }
  }

  /** Parses {@code body} and returns its title and links. */
  static Links parse(byte[] body, @Nullable String contentType, String url) throws IOException {
    return of(document(body, contentType, url));
  }

  /** The title and links of a parsed page. */
  static Links of(Document document) {
    Set<String> urls = new LinkedHashSet<>();
    for (Element link : document.select("a[href], area[href]")) {
      String absolute = link.absUrl("href");
      if (!absolute.isEmpty()) {
        urls.add(absolute);
      }
    }
    String title = document.title().strip();
    return new Links(title.isEmpty() ? null : title, urls);
  }

  /** Parses {@code body}; jsoup picks the charset from the header, a meta tag or the bytes. */
  static Document document(byte[] body, @Nullable String contentType, String url)
      throws IOException {
    String charset = null;
    if (contentType != null) {
      int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
      if (at >= 0) {
        charset = contentType.substring(at + 8).replace("\"", "").split(";")[0].strip();
      }
    }
    Document document;
    try {
      document = Jsoup.parse(new ByteArrayInputStream(body), charset, url);
    } catch (java.nio.charset.IllegalCharsetNameException
        | java.nio.charset.UnsupportedCharsetException e) {
      document = Jsoup.parse(new ByteArrayInputStream(body), null, url);
    }
    return document;
  }
}

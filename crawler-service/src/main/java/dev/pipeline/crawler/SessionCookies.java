package dev.pipeline.crawler;

import java.util.ArrayList;
import java.util.List;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;

/**
 * The cookies one crawl's session has earned in this process, kept as a browser would: OkHttp's
 * {@link Cookie} parses Set-Cookie and decides which requests a cookie goes with (domain, path,
 * secure, expiry); this class only stores them.
 */
final class SessionCookies implements CookieJar {
  private final List<Cookie> cookies = new ArrayList<>();

  @Override
  public synchronized void saveFromResponse(HttpUrl url, List<Cookie> received) {
    for (Cookie cookie : received) {
      cookies.removeIf(
          old ->
              old.name().equals(cookie.name())
                  && old.domain().equals(cookie.domain())
                  && old.path().equals(cookie.path()));
      if (cookie.expiresAt() > System.currentTimeMillis()) {
        cookies.add(cookie); // an expiry in the past is how a server deletes a cookie
      }
    }
  }

  @Override
  public synchronized List<Cookie> loadForRequest(HttpUrl url) {
    long now = System.currentTimeMillis();
    cookies.removeIf(cookie -> cookie.expiresAt() <= now);
    List<Cookie> matching = new ArrayList<>();
    for (Cookie cookie : cookies) {
      if (cookie.matches(url)) {
        matching.add(cookie);
      }
    }
    return matching;
  }

  /** Forgets every cookie: a new login starts from none. */
  synchronized void clear() {
    cookies.clear();
  }

  synchronized int size() {
    return cookies.size();
  }
}

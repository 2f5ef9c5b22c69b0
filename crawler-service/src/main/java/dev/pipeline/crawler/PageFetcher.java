package dev.pipeline.crawler;

import dev.pipeline.core.net.AddressPolicy;
import dev.pipeline.core.net.GuardedSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Fetches one URL once, without following redirects (the crawl decides about each hop), reading at
 * most the size cap. Every connection goes through the address guard unless the crawl allows
 * private addresses.
 */
final class PageFetcher {
  private final OkHttpClient guarded;
  private final OkHttpClient open;
  private final Dns dns;
  private final AddressPolicy policy;
  private final long maxBytes;
  private final long maxNanos;

  /** What one request gave. */
  record Fetched(
      int status,
      @Nullable String contentType,
      @Nullable String location,
      @Nullable String retryAfter,
      byte[] body,
      long bytes,
      boolean truncated,
      String sha256) {}

  private PageFetcher(
      OkHttpClient guarded,
      OkHttpClient open,
      Dns dns,
      AddressPolicy policy,
      long maxBytes,
      long maxNanos) {
    this.guarded = guarded;
    this.open = open;
    this.dns = dns;
    this.policy = policy;
    this.maxBytes = maxBytes;
    this.maxNanos = maxNanos;
  }

  PageFetcher(
      Duration timeout, long maxBytes, Map<String, String> resolve, Set<InetAddress> trusted) {
    this.maxBytes = maxBytes;
    // A whole request may take twice the timeout: a server that drips a byte now and then cannot
    // hold a fetch forever. Checked between reads rather than by OkHttp's call timeout, whose
    // shared timer queue costs more than the check at hundreds of fetches a second.
    this.maxNanos = timeout.multipliedBy(2).toNanos();
    Dns dns =
        host -> {
          String fixed = resolve.get(host.toLowerCase(java.util.Locale.ROOT));
          if (fixed != null) {
            try {
              return List.of(InetAddress.getByName(fixed));
            } catch (UnknownHostException e) {
              throw new UnknownHostException("--resolve " + host + "=" + fixed + " is no address");
            }
          }
          return Dns.SYSTEM.lookup(host);
        };
    OkHttpClient base =
        new OkHttpClient.Builder()
            .dns(dns)
            .proxy(java.net.Proxy.NO_PROXY)
            .connectionPool(new ConnectionPool(512, 1, TimeUnit.MINUTES))
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .followRedirects(false)
            .followSslRedirects(false)
            .build();
    this.dns = dns;
    this.policy = AddressPolicy.PUBLIC_ONLY.trusting(trusted);
    this.guarded = base.newBuilder().socketFactory(new GuardedSocketFactory(policy)).build();
    this.open =
        base.newBuilder().socketFactory(new GuardedSocketFactory(AddressPolicy.ANY)).build();
  }

  /**
   * Requests {@code request} once. Throws {@link GuardedSocketFactory.RefusedAddressException} for
   * a refused address and other {@link IOException}s for network failures and timeouts.
   */
  Fetched fetch(Request request, boolean allowPrivateAddresses) throws IOException {
    OkHttpClient client = allowPrivateAddresses ? open : guarded;
    long deadline = System.nanoTime() + maxNanos;
    try (Response response = client.newCall(request).execute()) {
      MessageDigest sha = sha256();
      byte[] buffer = new byte[16 * 1024];
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      long bytes = 0;
      boolean truncated = false;
      try (InputStream in = response.body().byteStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          if (System.nanoTime() > deadline) {
            throw new java.io.InterruptedIOException(
                "timeout: the page took longer than " + maxNanos / 1_000_000 + " ms");
          }
          if (bytes + read > maxBytes) {
            truncated = true;
            break;
          }
          sha.update(buffer, 0, read);
          body.write(buffer, 0, read);
          bytes += read;
        }
      }
      return new Fetched(
          response.code(),
          response.header("Content-Type"),
          response.header("Location"),
          response.header("Retry-After"),
          body.toByteArray(),
          bytes,
          truncated,
          HexFormat.of().formatHex(sha.digest()));
    } catch (java.net.SocketTimeoutException e) {
      // A read timeout is OkHttp's "timeout" or the JDK's "Read timed out", depending on where it
      // struck: callers and their users see it named the same way either time.
      if (String.valueOf(e.getMessage()).startsWith("timeout")) {
        throw e;
      }
      java.net.SocketTimeoutException named =
          new java.net.SocketTimeoutException("timeout: " + e.getMessage());
      named.initCause(e);
      throw named;
    } catch (IOException e) {
      if (e.getCause() instanceof GuardedSocketFactory.RefusedAddressException refused) {
        throw refused;
      }
      throw e;
    }
  }

  /**
   * The same fetcher (connections, guard, limits) sending and keeping a session's cookies. OkHttp's
   * builders share the connection pool and dispatcher, so this is cheap.
   */
  PageFetcher withCookies(CookieJar cookies) {
    return new PageFetcher(
        guarded.newBuilder().cookieJar(cookies).build(),
        open.newBuilder().cookieJar(cookies).build(),
        dns,
        policy,
        maxBytes,
        maxNanos);
  }

  /**
   * Why a request to {@code host} would be refused (resolved as this fetcher resolves it), or null
   * when it may go: for requests a browser makes, which do not pass through this fetcher's sockets.
   */
  @Nullable String refusal(String host, boolean allowPrivateAddresses) {
    if (allowPrivateAddresses) {
      return null;
    }
    try {
      for (InetAddress address : dns.lookup(host)) {
        String refusal = policy.refusal(address);
        if (refusal != null) {
          return host + ": " + refusal;
        }
      }
      return null;
    } catch (UnknownHostException e) {
      return null; // the browser will not reach it either
    }
  }

  long maxBytes() {
    return maxBytes;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}

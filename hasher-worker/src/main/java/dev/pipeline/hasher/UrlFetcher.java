package dev.pipeline.hasher;

import dev.pipeline.core.net.AddressPolicy;
import dev.pipeline.core.net.GuardedSocketFactory;
import dev.pipeline.core.runtime.RetriableJobException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Streams the body of an http(s) URL through the digests, never holding it in memory. Every
 * connection, redirects included, goes through the address guard; bodies over the size cap stop the
 * job. Server errors and network failures are worth retrying; the rest are the job's result.
 */
final class UrlFetcher {
  private final OkHttpClient client;
  private final long maxBytes;

  /** A URL job that cannot succeed; the message is the job's error result. */
  static final class UrlRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    UrlRefusedException(String message) {
      super(message);
    }
  }

  UrlFetcher(AddressPolicy policy, long maxBytes, String userAgent) {
    this.maxBytes = maxBytes;
    this.client =
        new OkHttpClient.Builder()
            .socketFactory(new GuardedSocketFactory(policy))
            .proxy(java.net.Proxy.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(30))
            .callTimeout(Duration.ZERO)
            .followRedirects(true)
            .followSslRedirects(true)
            .addNetworkInterceptor(
                chain ->
                    chain.proceed(
                        chain.request().newBuilder().header("User-Agent", userAgent).build()))
            .build();
  }

  /** Hashes the body of {@code url} with {@code algorithms}. */
  Digests fetch(String url, List<String> algorithms) throws Exception {
    Request request = new Request.Builder().url(url).get().build();
    try (Response response = client.newCall(request).execute()) {
      int status = response.code();
      if (status == 429 || status >= 500) {
        throw new RetriableJobException("HTTP " + status + " from " + url);
      }
      if (status >= 300) {
        throw new UrlRefusedException("HTTP " + status + " from " + url);
      }
      ResponseBody body = response.body();
      if (body.contentLength() > maxBytes) {
        throw new UrlRefusedException(tooLarge(url, body.contentLength()));
      }
      Digests digests = new Digests(algorithms);
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = body.byteStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          digests.update(buffer, 0, read);
          if (digests.bytes() > maxBytes) {
            throw new UrlRefusedException(tooLarge(url, digests.bytes()));
          }
        }
      }
      return digests;
    } catch (GuardedSocketFactory.RefusedAddressException e) {
      throw new UrlRefusedException(e.getMessage());
    } catch (IOException e) {
      if (e.getCause() instanceof GuardedSocketFactory.RefusedAddressException refused) {
        throw new UrlRefusedException(refused.getMessage());
      }
      throw new RetriableJobException("fetching " + url + " failed: " + e, e);
    }
  }

  private String tooLarge(String url, long bytes) {
    return url + " is larger than the " + maxBytes + "-byte limit (" + bytes + "+ bytes)";
  }
}

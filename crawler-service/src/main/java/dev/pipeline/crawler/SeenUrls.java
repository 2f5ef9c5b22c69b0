package dev.pipeline.crawler;

import com.carrotsearch.hppc.LongIntHashMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The URLs of one frontier partition that have been claimed for fetching, each as a 64-bit
 * fingerprint of (crawl id, URL) mapped to the shallowest depth it was claimed at: about 20 bytes a
 * URL instead of the hundred-odd a {@code Set<String>} costs. Two URLs share a fingerprint with a
 * probability of about n²/2⁶⁵ (3·10⁻⁸ at a million URLs); the loser would be skipped as seen.
 */
final class SeenUrls {
  /** What claiming a URL found. */
  enum Claim {
    /** Never claimed: fetch it. */
    NEW,
    /** Claimed before, but deeper: its links were cut short, so fetch it again at this depth. */
    SHALLOWER,
    /** Claimed at this depth or shallower: skip it. */
    SEEN
  }

  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LongIntHashMap depths = new LongIntHashMap();

  synchronized Claim claim(long fingerprint, int depth) {
    int index = depths.indexOf(fingerprint);
    if (!depths.indexExists(index)) {
      depths.indexInsert(index, fingerprint, depth);
      return Claim.NEW;
    }
    if (depth < depths.indexGet(index)) {
      depths.indexReplace(index, depth);
      return Claim.SHALLOWER;
    }
    return Claim.SEEN;
  }

  /** Restores a claim read back from the state topic. */
  synchronized void restore(long fingerprint, int depth) {
    int index = depths.indexOf(fingerprint);
    if (!depths.indexExists(index)) {
      depths.indexInsert(index, fingerprint, depth);
    } else if (depth < depths.indexGet(index)) {
      depths.indexReplace(index, depth);
    }
  }

  synchronized int size() {
    return depths.size();
  }

  /** The first 64 bits of SHA-256 over the crawl id and the URL. */
  static long fingerprint(String crawlId, String url) {
    MessageDigest sha;
    try {
      sha = (MessageDigest) SHA_256.clone(); // cheaper than a provider lookup per URL
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
    }
    sha.update(crawlId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    byte[] digest = sha.digest(url.getBytes(StandardCharsets.UTF_8));
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (digest[i] & 0xff);
    }
    return value;
  }
}

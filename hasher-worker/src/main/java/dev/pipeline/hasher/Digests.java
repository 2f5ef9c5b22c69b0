package dev.pipeline.hasher;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Several digests of one stream of bytes, computed in a single pass. */
final class Digests {
  private final List<String> algorithms;
  private final List<MessageDigest> digests = new ArrayList<>();
  private long bytes;

  Digests(List<String> algorithms) {
    this.algorithms = List.copyOf(algorithms);
    for (String algorithm : algorithms) {
      try {
        digests.add(MessageDigest.getInstance(algorithm));
      } catch (NoSuchAlgorithmException e) {
        // HashJob only admits algorithms every JDK has.
        throw new IllegalStateException("this JDK lacks " + algorithm, e);
      }
    }
  }

  void update(byte[] buffer, int offset, int length) {
    update(ByteBuffer.wrap(buffer, offset, length));
  }

  /** Digests the buffer's remaining bytes, leaving it consumed. */
  void update(ByteBuffer buffer) {
    int start = buffer.position();
    int length = buffer.remaining();
    for (MessageDigest digest : digests) {
      digest.update(buffer.position(start));
    }
    bytes += length;
  }

  long bytes() {
    return bytes;
  }

  /** Returns each algorithm's digest as lower-case hex, in the job's order. */
  Map<String, String> finish() {
    Map<String, String> hex = new LinkedHashMap<>();
    for (int i = 0; i < digests.size(); i++) {
      hex.put(algorithms.get(i), HexFormat.of().formatHex(digests.get(i).digest()));
    }
    return hex;
  }
}

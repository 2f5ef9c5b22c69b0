package dev.pipeline.hasher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HasherTest {
  private static HashJob job(
      HashJob.Kind kind, String value, List<String> algorithms, String expected) {
    return new HashJob(
        1, "j1", new HashJob.Source(kind, value), algorithms, expected, Instant.now());
  }

  @Test
  void inlineTextGetsTheStandardTestVectors() throws Exception {
    HashResult result =
        Hasher.hash(job(HashJob.Kind.TEXT, "abc", List.of("SHA-256", "SHA-1", "MD5"), null), "w1");
    assertThat(result.digests())
        .containsEntry(
            "SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        .containsEntry("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d")
        .containsEntry("MD5", "900150983cd24fb0d6963f7d28e17f72");
    assertThat(result.size()).isEqualTo(3);
    assertThat(result.worker()).isEqualTo("w1");
    assertThat(result.error()).isNull();
    assertThat(result.verified()).isNull();
  }

  @Test
  void base64IsDecodedBeforeHashing() throws Exception {
    HashResult result = Hasher.hash(job(HashJob.Kind.BASE64, "YWJj", List.of(), null), "w1");
    assertThat(result.digests())
        .containsOnlyKeys("SHA-256")
        .containsEntry(
            "SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void expectedDigestIsVerifiedCaseInsensitively() throws Exception {
    String good = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    assertThat(Hasher.hash(job(HashJob.Kind.TEXT, "abc", List.of(), good), "w").verified())
        .isTrue();
    assertThat(Hasher.hash(job(HashJob.Kind.TEXT, "abd", List.of(), good), "w").verified())
        .isFalse();
  }

  @Test
  void fileSourcesGetAnErrorResultNotACrash() throws Exception {
    HashResult result = Hasher.hash(job(HashJob.Kind.FILE, "/etc/hostname", List.of(), null), "w");
    assertThat(result.error())
        .isEqualTo("FILE sources are not supported by this hasher-worker version");
    assertThat(result.digests()).isEmpty();
  }
}

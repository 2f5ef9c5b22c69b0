package dev.pipeline.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private final MessageCodec codec = MessageCodec.standard();

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static final String VALID_EVENT =
      "{\"v\":1,\"id\":\"e1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"service\":\"api\",\"host\":\"h1\","
          + "\"level\":\"WARN\",\"message\":\"slow\",\"latencyMs\":12}";

  @Test
  void logEventRoundTrips() {
    LogEvent event =
        new LogEvent(
            1,
            "e1",
            Instant.parse("2026-01-01T00:00:00Z"),
            "api",
            "h1",
            LogEvent.Level.WARN,
            "slow",
            "t1",
            12L,
            Map.of("k", "v"));
    assertThat(codec.decode(codec.encode(event), LogEvent.class)).isEqualTo(event);
    assertThat(event.source()).isEqualTo("api/h1");
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    LogEvent event =
        codec.decode(json(VALID_EVENT.replace("}", ",\"extra\":true}")), LogEvent.class);
    assertThat(event.attributes()).isEmpty();
    assertThat(event.latencyMs()).isEqualTo(12L);
  }

  @Test
  void malformedJsonIsInvalidWithTheParserReason() {
    assertThatThrownBy(() -> codec.decode(json("{\"v\":1,"), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageStartingWith("not valid JSON");
  }

  @Test
  void missingFieldIsNamed() {
    assertThatThrownBy(
            () -> codec.decode(json(VALID_EVENT.replace("\"host\":\"h1\",", "")), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("invalid LogEvent: host is required");
  }

  @Test
  void wrongTypeIsNamed() {
    assertThatThrownBy(
            () ->
                codec.decode(
                    json(VALID_EVENT.replace("\"latencyMs\":12", "\"latencyMs\":\"fast\"")),
                    LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("latencyMs");
  }

  @Test
  void unknownEnumValueIsNamed() {
    assertThatThrownBy(
            () -> codec.decode(json(VALID_EVENT.replace("WARN", "LOUD")), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("level")
        .hasMessageContaining("LOUD");
  }

  @Test
  void unsupportedSchemaVersionIsRefused() {
    assertThatThrownBy(
            () -> codec.decode(json(VALID_EVENT.replace("\"v\":1", "\"v\":7")), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("unsupported schema version v=7");
  }

  @Test
  void oversizedFieldIsRefused() {
    String huge = "x".repeat(70_000);
    assertThatThrownBy(() -> codec.decode(json(VALID_EVENT.replace("slow", huge)), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("message is longer than 65536 characters");
  }

  @Test
  void oversizedMessageIsRefusedBeforeParsing() {
    byte[] big = new byte[MessageCodec.MAX_MESSAGE_BYTES + 1];
    assertThatThrownBy(() -> codec.decode(big, LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("the limit is " + MessageCodec.MAX_MESSAGE_BYTES);
  }

  @Test
  void deeplyNestedJsonIsRefused() {
    // An ignored field is still parsed: 40 levels of arrays would cost stack on every read.
    String nested = "[".repeat(40) + "]".repeat(40);
    assertThatThrownBy(
            () ->
                codec.decode(
                    json(VALID_EVENT.replaceFirst("\\{", "{\"extra\":" + nested + ",")),
                    LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("nesting depth");
  }

  @Test
  void emptyAndNullMessagesAreInvalid() {
    assertThatThrownBy(() -> codec.decode(new byte[0], LogEvent.class))
        .isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> codec.decode(json("null"), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void crawlJobChecksUrlsRegexesAndDepth() {
    assertThatThrownBy(() -> crawlJob(List.of("ftp://x"), 1, List.of(), null, null))
        .hasMessageContaining("must be an http or https URL");
    assertThatThrownBy(() -> crawlJob(List.of("http://x/"), 1, List.of("(["), null, null))
        .hasMessageContaining("include is not a valid regular expression: ([");
    assertThatThrownBy(() -> crawlJob(List.of("http://x/"), -1, List.of(), null, null))
        .hasMessage("maxDepth must be at least 0: -1");
  }

  @Test
  void crawlJobTakesBasicAuthInClearOrByCredentialNotBoth() {
    List<String> seeds = List.of("http://x/");
    assertThatThrownBy(() -> crawlJob(seeds, 1, List.of(), "ada:secret", "shop"))
        .hasMessage("basicAuthCredential cannot go with basicAuth: give one");
    assertThatThrownBy(() -> crawlJob(seeds, 1, List.of(), null, "shop-admin"))
        .hasMessageContaining("basicAuthCredential must be a name of letters, digits and '_'");
    assertThat(crawlJob(seeds, 1, List.of(), null, "shop_admin").basicAuthCredential())
        .isEqualTo("shop_admin");
  }

  private static CrawlJob crawlJob(
      List<String> seeds,
      int maxDepth,
      List<String> include,
      String basicAuth,
      String basicAuthCredential) {
    return new CrawlJob(
        1,
        "c1",
        seeds,
        maxDepth,
        null,
        CrawlJob.Scope.SAME_HOST,
        include,
        List.of(),
        0,
        1,
        "ua",
        List.of(),
        List.of(),
        basicAuth,
        basicAuthCredential,
        false,
        false,
        Instant.now(),
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void hashJobChecksAlgorithmsAndInlineSize() {
    Instant now = Instant.now();
    HashJob.Source text = new HashJob.Source(HashJob.Kind.TEXT, "abc");
    assertThat(new HashJob(1, "j1", text, List.of("sha-256"), null, now).algorithms())
        .containsExactly("SHA-256");
    assertThat(new HashJob(1, "j1", text, List.of(), null, now).algorithms())
        .containsExactly("SHA-256");
    assertThatThrownBy(() -> new HashJob(1, "j1", text, List.of("CRC99"), null, now))
        .hasMessageStartingWith("unknown algorithm CRC99");
    assertThatThrownBy(
            () -> new HashJob.Source(HashJob.Kind.TEXT, "x".repeat(HashJob.MAX_INLINE_BYTES + 1)))
        .hasMessageContaining("larger than " + HashJob.MAX_INLINE_BYTES);
    assertThatThrownBy(() -> new HashJob.Source(HashJob.Kind.BASE64, "not base64!"))
        .hasMessageContaining("not valid base64");
  }
}

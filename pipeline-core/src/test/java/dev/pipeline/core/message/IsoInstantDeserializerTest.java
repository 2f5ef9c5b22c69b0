package dev.pipeline.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class IsoInstantDeserializerTest {
  @Test
  void readsUtcTimestampsWithAnyFractionLikeInstantParse() {
    for (String text :
        new String[] {
          "2026-11-27T15:47:34Z", "2026-11-27T15:47:34.9Z", "2026-11-27T15:47:34.954Z",
          "2026-11-27T15:47:34.954123Z", "2026-11-27T15:47:34.954123456Z", "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59.5Z", "2024-02-29T12:00:00Z"
        }) {
      assertThat(IsoInstantDeserializer.parseUtc(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void leavesOtherFormsToJackson() {
    assertThat(IsoInstantDeserializer.parseUtc("2026-11-27T15:47:34+01:00")).isNull();
    assertThat(IsoInstantDeserializer.parseUtc("2026-02-30T00:00:00Z")).isNull();
    assertThat(IsoInstantDeserializer.parseUtc("2026-11-27T25:00:00Z")).isNull();
    assertThat(IsoInstantDeserializer.parseUtc("2026-11-27T15:47:34.Z")).isNull();
    assertThat(IsoInstantDeserializer.parseUtc("20261127T154734Z")).isNull();
  }

  @Test
  void codecStillReadsOffsetsAndRefusesNonsense() {
    String event =
        "{\"v\":1,\"id\":\"e\",\"timestamp\":\"%s\",\"service\":\"s\",\"host\":\"h\",\"level\":\"INFO\",\"message\":\"m\"}";
    LogEvent withOffset =
        MessageCodec.standard()
            .decode(String.format(event, "2026-11-27T16:00:00+01:00").getBytes(), LogEvent.class);
    assertThat(withOffset.timestamp()).isEqualTo(Instant.parse("2026-11-27T15:00:00Z"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                MessageCodec.standard()
                    .decode(String.format(event, "yesterday").getBytes(), LogEvent.class))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("timestamp");
  }
}

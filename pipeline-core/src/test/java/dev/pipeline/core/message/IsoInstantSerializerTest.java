package dev.pipeline.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantSerializerTest {
  private final IsoInstantSerializer serializer = new IsoInstantSerializer();

  @Test
  void writesWhatIsoInstantWrites() {
    for (String text :
        new String[] {
          "2026-11-27T15:47:34Z",
          "2026-11-27T15:47:34.900Z",
          "2026-11-27T15:47:34.954Z",
          "2026-11-27T15:47:34.954100Z",
          "2026-11-27T15:47:34.000001Z",
          "2026-11-27T15:47:34.954123456Z",
          "2026-11-27T15:47:34.000000001Z",
          "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59.500Z",
          "2024-02-29T12:00:00Z",
          "0001-01-01T00:00:00.1Z",
          "+10000-01-01T00:00:00.000000002Z",
          "-0001-06-30T12:00:00Z"
        }) {
      Instant instant = Instant.parse(text);
      assertThat(serializer.format(instant))
          .as(text)
          .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant));
    }
  }

  @Test
  void aSecondFormattedOnceServesEveryFractionOfItAndNoOther() {
    SplittableRandom random = new SplittableRandom(7);
    long second = Instant.parse("2026-11-29T04:23:27Z").getEpochSecond();
    for (int i = 0; i < 10_000; i++) {
      // Mostly the same few seconds (the cache's case), now and then anywhere in years 0-9999.
      long epochSecond =
          i % 10 == 0
              ? random.nextLong(-62_135_596_800L, 253_402_300_799L)
              : second + random.nextInt(3);
      int nanos =
          switch (i % 4) {
            case 0 -> random.nextInt(1_000) * 1_000_000;
            case 1 -> random.nextInt(1_000_000) * 1_000;
            case 2 -> random.nextInt(1_000_000_000);
            default -> 0;
          };
      Instant instant = Instant.ofEpochSecond(epochSecond, nanos);
      assertThat(serializer.format(instant))
          .isEqualTo(DateTimeFormatter.ISO_INSTANT.format(instant));
    }
  }

  @Test
  void theCodecWritesInstantsWithIt() {
    Instant instant = Instant.parse("2026-11-29T04:23:27.495637488Z");
    LogEvent event =
        new LogEvent(1, "e", instant, "s", "h", LogEvent.Level.INFO, "m", null, null, Map.of());
    String json = new String(MessageCodec.standard().encode(event), StandardCharsets.UTF_8);
    assertThat(json).contains("\"timestamp\":\"2026-11-29T04:23:27.495637488Z\"");
    assertThat(
            MessageCodec.standard().decode(json.getBytes(StandardCharsets.UTF_8), LogEvent.class))
        .isEqualTo(event);
  }
}

package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class LogGeneratorTest {
  private final MessageCodec codec = MessageCodec.standard();

  private LogEvent decoded(LogGenerator.Generated generated) {
    return codec.decode(generated.json(), LogEvent.class);
  }

  @Test
  void idsSortInTheOrderTheyWereMade() {
    LogGenerator generator = new LogGenerator(List.of("api", "auth"), 0.02, "gen-run1");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      ids.add(decoded(generator.next()).id());
    }
    // A store's primary-key index then grows at its end: 9 before 10, 99 before 100.
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids.get(0)).isEqualTo("gen-run1-000000000000");
  }

  @Test
  void eventsAreValidAndComeFromTheGivenSources() {
    LogGenerator generator = new LogGenerator(List.of("api", "auth"), 0.5, "gen-run2");
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
    List<LogEvent> events = Stream.generate(generator::next).limit(500).map(this::decoded).toList();
    assertThat(events).extracting(LogEvent::service).containsOnly("api", "auth");
    assertThat(events)
        .extracting(LogEvent::host)
        .containsOnly(
            "api01", "api02", "api03", "api04", "api05", "api06", "auth01", "auth02", "auth03",
            "auth04", "auth05", "auth06");
    assertThat(events)
        .extracting(LogEvent::level)
        .contains(LogEvent.Level.ERROR, LogEvent.Level.WARN, LogEvent.Level.INFO)
        .contains(LogEvent.Level.DEBUG);
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.timestamp()).isBetween(before, Instant.now());
              assertThat(e.traceId()).matches("[0-9a-f]{16}");
              assertThat(e.latencyMs()).isBetween(2L, 30_000L);
            });
    // A warning or an error names the path and the latency the event reports.
    assertThat(events)
        .filteredOn(e -> e.level() == LogEvent.Level.WARN || e.level() == LogEvent.Level.ERROR)
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.message())
                    .matches(
                        "[A-Za-z ]+ /[a-z/0-9]+[ ,(a-z0-9]+ \\(?" + e.latencyMs() + " ms\\)?"));
    assertThat(events)
        .filteredOn(e -> e.level() == LogEvent.Level.INFO)
        .allSatisfy(
            e ->
                assertThat(e.message())
                    .matches(
                        "(GET|POST|PUT|DELETE) /[a-z/0-9]+ (200|404) " + e.latencyMs() + "ms"));
  }

  @Test
  void defaultSourcesSpreadOverThePartitionsSoASecondConsumerGetsAShare() {
    // Placed as the producer places a keyed record. A group of two consumers splits a topic's
    // partitions into two runs of six (what the broker's assignor gave in the storing bench), or
    // would take every other one under a round-robin assignor: both halves must hold a share.
    LogGenerator generator =
        new LogGenerator(List.of(LogGenerator.DEFAULT_SOURCES.split(",")), 0.02, "gen-run6");
    int[] perPartition = new int[Topics.DEFAULT_PARTITIONS];
    int events = 60_000;
    for (int i = 0; i < events; i++) {
      perPartition[
          BuiltInPartitioner.partitionForKey(generator.next().key(), Topics.DEFAULT_PARTITIONS)]++;
    }
    assertThat(Arrays.stream(perPartition).filter(n -> n > 0).count()).isGreaterThanOrEqualTo(10);
    int firstHalf = Arrays.stream(perPartition, 0, Topics.DEFAULT_PARTITIONS / 2).sum();
    int evenOnes =
        IntStream.range(0, perPartition.length)
            .filter(p -> p % 2 == 0)
            .map(p -> perPartition[p])
            .sum();
    assertThat((double) firstHalf / events).isBetween(0.4, 0.6);
    assertThat((double) evenOnes / events).isBetween(0.4, 0.6);
  }

  @Test
  void eachEventIsTheJsonTheCodecWritesForItAndKeyedByItsSource() {
    // Names that JSON must escape or that take more than one byte or one UTF-16 char.
    List<String> sources =
        List.of("api", "quote\"and\\backslash", "tab\tand\u0001control", "ünïcødé-🚀", "</script>");
    LogGenerator generator = new LogGenerator(sources, 0.3, "gen-\"odd\"");
    for (int i = 0; i < 20_000; i++) {
      LogGenerator.Generated generated = generator.next();
      LogEvent event = decoded(generated);
      String json = new String(generated.json(), StandardCharsets.UTF_8);
      String codecs = new String(codec.encode(event), StandardCharsets.UTF_8);
      assertThat(codec.parse(json)).isEqualTo(codec.parse(codecs));
      // Byte for byte, but for a character outside the BMP: Jackson's generator writes it as two
      // \\u escapes, the generator as its four UTF-8 bytes; both read back the same.
      if (event.source().codePoints().allMatch(Character::isBmpCodePoint)) {
        assertThat(json).isEqualTo(codecs);
      } else {
        assertThat(json).contains("\"service\":\"ünïcødé-🚀\"");
      }
      assertThat(new String(generated.key(), StandardCharsets.UTF_8)).isEqualTo(event.source());
      assertThat(event.service()).isEqualTo(sources.get(i % sources.size()));
    }
  }

  @Test
  void timestampsKeepTheMicrosecondAndAreWrittenAsTheCodecWritesThem() {
    Instant second = Instant.parse("2026-12-03T10:15:30Z");
    List<Instant> ticks =
        List.of(
            second,
            second.plusMillis(5),
            second.plusNanos(123_456_000),
            second.plusNanos(123_456_789),
            second.plusSeconds(1).plusNanos(999_999_999),
            Instant.parse("1969-12-31T23:59:59.5Z"));
    Iterator<Instant> clock = ticks.iterator();
    LogGenerator generator =
        new LogGenerator(List.of("api"), 0, "gen-run3", new TickingClock(clock));
    List<String> written = new ArrayList<>();
    for (Instant tick : ticks) {
      LogGenerator.Generated generated = generator.next();
      String json = new String(generated.json(), StandardCharsets.UTF_8);
      written.add(json.replaceFirst(".*\"timestamp\":\"([^\"]*)\".*", "$1"));
      assertThat(decoded(generated).timestamp()).isEqualTo(tick.truncatedTo(ChronoUnit.MICROS));
      assertThat(json)
          .isEqualTo(new String(codec.encode(decoded(generated)), StandardCharsets.UTF_8));
    }
    assertThat(written)
        .containsExactly(
            "2026-12-03T10:15:30Z",
            "2026-12-03T10:15:30.005Z",
            "2026-12-03T10:15:30.123456Z",
            "2026-12-03T10:15:30.123456Z",
            "2026-12-03T10:15:31.999999Z",
            "1969-12-31T23:59:59.500Z");
  }

  @Test
  void sourcesThatCannotMakeValidEventsAreRefusedAtOnce() {
    assertThatThrownBy(() -> new LogGenerator(List.of("api", "x".repeat(255)), 0.02, "gen-run4"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("--sources: ")
        .hasMessageContaining("host");
    assertThatThrownBy(() -> new LogGenerator(List.of(" "), 0.02, "gen-run4"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("--sources: ");
    assertThatThrownBy(() -> new LogGenerator(List.of(), 0.02, "gen-run4"))
        .isInstanceOf(CliException.class);
    assertThatThrownBy(() -> new LogGenerator(List.of("api"), 1.5, "gen-run4"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("--error-ratio");
  }

  /** A clock that gives the next of a list of instants each time it is read. */
  private static final class TickingClock extends Clock {
    private final Iterator<Instant> ticks;

    TickingClock(Iterator<Instant> ticks) {
      this.ticks = ticks;
    }

    @Override
    public Instant instant() {
      return ticks.next();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}

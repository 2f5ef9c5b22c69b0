package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.core.message.LogEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LogGeneratorTest {

  @Test
  void idsSortInTheOrderTheyWereMade() {
    LogGenerator generator = new LogGenerator(List.of("api", "auth"), 0.02, "gen-run1");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      ids.add(generator.next().id());
    }
    // A store's primary-key index then grows at its end: 9 before 10, 99 before 100.
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids.get(0)).startsWith("gen-run1-0000000000");
  }

  @Test
  void eventsAreValidAndComeFromTheGivenSources() {
    LogGenerator generator = new LogGenerator(List.of("api", "auth"), 0.5, "gen-run2");
    List<LogEvent> events = Stream.generate(generator::next).limit(500).toList();
    assertThat(events).extracting(LogEvent::service).containsOnly("api", "auth");
    assertThat(events)
        .extracting(LogEvent::level)
        .contains(LogEvent.Level.ERROR, LogEvent.Level.INFO);
    // A warning or an error names the path and the latency the event reports.
    assertThat(events)
        .filteredOn(e -> e.level() == LogEvent.Level.WARN || e.level() == LogEvent.Level.ERROR)
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e.message())
                    .matches(
                        "[A-Za-z ]+ /[a-z/0-9]+[ ,(a-z0-9]+ \\(?" + e.latencyMs() + " ms\\)?"));
  }
}

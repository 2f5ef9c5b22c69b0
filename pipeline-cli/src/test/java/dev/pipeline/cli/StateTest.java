package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateTest {
  @TempDir Path dir;

  @Test
  void savesAndLoadsWhatUpStarted() {
    ManagedProcess broker = new ManagedProcess("local-kafka", 0, 10, 1000, "/l/kafka.log", 0);
    ManagedProcess h2 = new ManagedProcess("hasher-worker", 2, 12, 1000, "/l/h2.log", 0);
    ManagedProcess h1 = new ManagedProcess("hasher-worker", 1, 11, 1000, "/l/h1.log", 0);
    State state = new State("127.0.0.1:9092", broker, 9092, List.of(h2, h1));
    state.save(dir.resolve("state.json"));
    State loaded = State.load(dir.resolve("state.json")).orElseThrow();
    assertThat(loaded).isEqualTo(state);
    assertThat(loaded.instancesOf(ServiceName.HASHER)).containsExactly(h1, h2);
    assertThat(loaded.minus(List.of(h1)).instancesOf(ServiceName.HASHER)).containsExactly(h2);
  }

  @Test
  void aProcessIsRecognisedByPidAndStartTime() {
    ProcessHandle self = ProcessHandle.current();
    long started = self.info().startInstant().orElseThrow().toEpochMilli();
    assertThat(new ManagedProcess("x", 1, self.pid(), started, "l", 0).alive()).isTrue();
    assertThat(new ManagedProcess("x", 1, self.pid(), started - 60_000, "l", 0).alive())
        .as("pid reused by another process")
        .isFalse();
    assertThat(Files.exists(dir.resolve("missing.json"))).isFalse();
    assertThat(State.load(dir.resolve("missing.json"))).isEmpty();
  }

  @Test
  void durationsPrintShort() {
    assertThat(Table.duration(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Table.duration(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Table.duration(Duration.ofMinutes(125))).isEqualTo("2h05m");
  }
}

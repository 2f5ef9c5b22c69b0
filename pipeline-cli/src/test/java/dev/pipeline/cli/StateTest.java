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
    ManagedProcess broker = new ManagedProcess("local-kafka", 0, 10, 1000, "/l/kafka.log", 0, 4242);
    ManagedProcess h2 = new ManagedProcess("hasher-worker", 2, 12, 1000, "/l/h2.log", 0, 4243);
    ManagedProcess h1 = new ManagedProcess("hasher-worker", 1, 11, 1000, "/l/h1.log", 0, 0);
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
    long ticks = ManagedProcess.startTicksSinceBoot(self.pid());
    assertThat(ticks).as("/proc/PID/stat's start time, on Linux").isPositive();
    assertThat(ManagedProcess.startTicksSinceBoot(self.pid())).isEqualTo(ticks);
    assertThat(new ManagedProcess("x", 1, self.pid(), started, "l", 0, ticks).alive()).isTrue();
    assertThat(new ManagedProcess("x", 1, self.pid(), started, "l", 0, ticks + 100).alive())
        .as("pid reused by a process started a second later")
        .isFalse();
    // A clock step after the start (a VM resumed, a time sync) moves the wall-clock start Java
    // derives from the boot time; the ticks since boot do not move, so the process is still ours.
    assertThat(new ManagedProcess("x", 1, self.pid(), started - 3_600_000, "l", 0, ticks).alive())
        .as("the wall clock stepped by an hour since the start")
        .isTrue();
    // A state written before the ticks were kept: the wall-clock start, within 2 s.
    assertThat(new ManagedProcess("x", 1, self.pid(), started, "l", 0, 0).alive()).isTrue();
    assertThat(new ManagedProcess("x", 1, self.pid(), started - 60_000, "l", 0, 0).alive())
        .as("pid reused by another process")
        .isFalse();
    assertThat(ManagedProcess.startTicksSinceBoot(Long.MAX_VALUE)).isZero();
    assertThat(Files.exists(dir.resolve("missing.json"))).isFalse();
    assertThat(State.load(dir.resolve("missing.json"))).isEmpty();
  }

  @Test
  void aStateWrittenBeforeTheTicksWereKeptStillLoads() throws Exception {
    Path file = dir.resolve("state.json");
    Files.writeString(
        file,
        """
        {"bootstrap": "127.0.0.1:9092", "brokerPort": 9092, "broker": null,
         "services": [{"service": "hasher-worker", "index": 1, "pid": 11,
                       "startedAtMillis": 1000, "logFile": "/l/h1.log", "httpPort": 0}]}
        """);
    assertThat(State.load(file).orElseThrow().services())
        .containsExactly(new ManagedProcess("hasher-worker", 1, 11, 1000, "/l/h1.log", 0, 0));
  }

  @Test
  void durationsPrintShort() {
    assertThat(Table.duration(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Table.duration(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Table.duration(Duration.ofMinutes(125))).isEqualTo("2h05m");
  }
}

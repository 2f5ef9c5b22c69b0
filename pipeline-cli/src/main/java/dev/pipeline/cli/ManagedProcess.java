package dev.pipeline.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A process the supervisor started: which service, which instance, and how to recognise it again
 * (pid plus start time, so a reused pid is not mistaken for it). {@code httpPort} is 0 for a
 * process without an HTTP API.
 *
 * <p>Where the kernel tells it ({@code /proc}), the start time compared is {@code
 * startTicksSinceBoot}: clock ticks from boot to the process's start, which no clock change moves.
 * The wall-clock start that Java reports is derived from the boot time, which the kernel recomputes
 * from the wall clock: a clock step (a VM resumed, a time sync) shifts it for every command that
 * reads it afterwards, and every process would then look like a stranger with our pid, and be
 * dropped from the state while it runs. {@code startedAtMillis}, within 2 s, is the fallback where
 * there is no {@code /proc} (and for a state written before the ticks were kept).
 */
record ManagedProcess(
    String service,
    int index,
    long pid,
    long startedAtMillis,
    String logFile,
    int httpPort,
    long startTicksSinceBoot) {

  /** Returns the live process, if it is still the one that was started. */
  @JsonIgnore
  Optional<ProcessHandle> handle() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(this::startedWhenWeStartedIt);
  }

  private boolean startedWhenWeStartedIt(ProcessHandle process) {
    long ticks = startTicksSinceBoot > 0 ? startTicksSinceBoot(pid) : 0;
    if (ticks > 0) {
      return ticks == startTicksSinceBoot;
    }
    return process
        .info()
        .startInstant()
        .map(start -> Math.abs(start.toEpochMilli() - startedAtMillis) < 2000)
        .orElse(true);
  }

  /**
   * The start of process {@code pid} in clock ticks since boot (field 22 of {@code
   * /proc/PID/stat}), or 0 where that is not known.
   */
  static long startTicksSinceBoot(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name, in parentheses, may hold spaces and parentheses: count from its end.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(fields[19]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @JsonIgnore
  boolean alive() {
    return handle().isPresent();
  }

  @JsonIgnore
  Duration uptime() {
    return Duration.between(Instant.ofEpochMilli(startedAtMillis), Instant.now());
  }

  @JsonIgnore
  Path log() {
    return Path.of(logFile);
  }
}

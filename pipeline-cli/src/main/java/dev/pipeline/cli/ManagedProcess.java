package dev.pipeline.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A process the supervisor started: which service, which instance, and how to recognise it again
 * (pid plus start time, so a reused pid is not mistaken for it). {@code httpPort} is 0 for a
 * process without an HTTP API.
 */
record ManagedProcess(
    String service, int index, long pid, long startedAtMillis, String logFile, int httpPort) {

  /** Returns the live process, if it is still the one that was started. */
  @JsonIgnore
  Optional<ProcessHandle> handle() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            h ->
                h.info()
                    .startInstant()
                    .map(start -> Math.abs(start.toEpochMilli() - startedAtMillis) < 2000)
                    .orElse(true));
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

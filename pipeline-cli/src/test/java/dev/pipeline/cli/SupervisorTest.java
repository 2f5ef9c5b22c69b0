package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SupervisorTest {
  private static final String EARLIER_START =
      """
      ---- 2026-12-04T13:08:28Z starting hasher-worker
      13:08:33.562 INFO  [main] d.pipeline.core.runtime.Worker - hasher-worker ready
      hasher-worker: an error of an earlier start
       AOTConfiguration recorded: /home/cds/hasher-worker.2-1.aot.conf
      """;

  @Test
  void aProcessThatDiedStartingIsExplainedByItsOwnLineOfThisStartNotTheJvmsLast() {
    String log =
        EARLIER_START
            + """
            ---- 2026-12-04T13:55:48Z starting hasher-worker
            hasher-worker: Invalid value for option '--lock-duration': '2x' is not a duration
             AOTConfiguration recorded: /home/cds/hasher-worker.2-2.aot.conf
            """;

    assertThat(Supervisor.whyItExited(log, "hasher-worker"))
        .isEqualTo(
            "hasher-worker: Invalid value for option '--lock-duration': '2x' is not a duration");
  }

  @Test
  void withoutItsOwnLineTheLastLineOfThisStartSaysWhy() {
    String log =
        EARLIER_START
            + """
            ---- 2026-12-04T13:55:48Z starting hasher-worker
            Exception in thread "main" java.lang.OutOfMemoryError: Java heap space

            """;

    assertThat(Supervisor.whyItExited(log, "hasher-worker"))
        .isEqualTo("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
    assertThat(Supervisor.whyItExited(EARLIER_START + "---- starting\n", "hasher-worker"))
        .isEqualTo("(nothing logged)");
  }
}

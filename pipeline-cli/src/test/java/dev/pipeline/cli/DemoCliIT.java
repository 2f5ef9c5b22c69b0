package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline demo}, smaller, through the real CLI: every stage runs and everything stops. */
class DemoCliIT {
  @TempDir Path home;

  @Test
  void runsEveryStageAndStopsEverything() throws Exception {
    CliProcess cli = new CliProcess(home);
    CliProcess.Result demo =
        cli.run(
            "demo",
            "--events",
            "20000",
            "--pages",
            "120",
            "--hash-files",
            "4",
            "--hash-file-mib",
            "8");
    assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("[1/6]", "[2/6]", "[3/6]", "[4/6]", "[5/6]", "[6/6]")
        .contains("stored 20,000 events")
        .containsPattern("hashing \\(MiB/s\\) +[0-9,]+ +[0-9,]+ +[0-9.]+x")
        .containsPattern("crawling \\(pages/s\\) +[0-9,]+ +[0-9,]+ +[0-9.]+x")
        .contains("Done in");
    CliProcess.Result status = cli.run("status");
    assertThat(status.exit()).as("nothing left running: " + status.out()).isEqualTo(3);
    CliProcess.Result busy =
        cli.run("up", "--producers", "0", "--consumers", "0", "--crawlers", "0", "--hashers", "0");
    assertThat(busy.exit()).as(busy.err()).isZero();
    try {
      CliProcess.Result refused = cli.run("demo");
      assertThat(refused.exit()).isEqualTo(2);
      assertThat(refused.err()).contains("a pipeline is already running");
    } finally {
      cli.run("down", "--timeout", "10");
    }
  }
}

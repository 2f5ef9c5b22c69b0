package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelineCliTest {
  private static final String[] ALL = {
    "up", "scale", "status", "logs", "down", "publish", "hash", "crawl", "site", "demo", "help"
  };

  @Test
  void aRunOfOneCommandBuildsOnlyThatOne() {
    assertThat(PipelineCli.commandLine("hash", "--wait", "dir").getSubcommands())
        .containsOnlyKeys("hash");
  }

  @Test
  void helpAndAnythingThatNamesNoCommandBuildEveryCommand() {
    assertThat(PipelineCli.commandLine().getSubcommands()).containsOnlyKeys(ALL);
    assertThat(PipelineCli.commandLine("--help").getSubcommands()).containsOnlyKeys(ALL);
    assertThat(PipelineCli.commandLine("help", "hash").getSubcommands()).containsOnlyKeys(ALL);
    assertThat(PipelineCli.commandLine("hsh").getSubcommands()).containsOnlyKeys(ALL);
  }
}

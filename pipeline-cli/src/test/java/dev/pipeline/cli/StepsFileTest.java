package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.core.message.CrawlSequence;
import dev.pipeline.core.message.CrawlStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepsFileTest {
  @TempDir Path dir;

  /** The README's example, as a person would copy it. */
  private static String readmeExample() throws Exception {
    String readme = Files.readString(CliProcess.ROOT.resolve("README.md"));
    int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
    return readme.substring(start, readme.indexOf("```", start));
  }

  @Test
  void readsTheReadmesExampleWithOnAsAKeyNotABoolean() throws Exception {
    Path file = dir.resolve("steps.yaml");
    Files.writeString(file, readmeExample());
    List<CrawlSequence> sequences = StepsFile.read(file);
    assertThat(sequences)
        .extracting(CrawlSequence::on)
        .containsExactly("/search$", "/account/vault$");
    assertThat(sequences.get(0).steps())
        .extracting(CrawlStep::action)
        .containsExactly("fill", "click", "wait-for", "screenshot");
    assertThat(sequences.get(0).steps().get(2).timeoutMs()).isEqualTo(5000L);
    assertThat(sequences.get(1).steps().get(0).value()).isEqualTo("yes"); // quoted: a string
  }

  @Test
  void readsJsonAndSaysWhereABadStepIs() throws Exception {
    Path json = dir.resolve("steps.json");
    Files.writeString(
        json, "[{\"on\": \"x\", \"steps\": [{\"action\": \"click\", \"selector\": \"#a\"}]}]");
    assertThat(StepsFile.read(json).get(0).steps().get(0).selector()).isEqualTo("#a");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "- on: x\n  steps: [{action: click, selector: '#a'}]\n- on: y\n  steps: [{action: click}]\n");
    assertThatThrownBy(() -> StepsFile.read(bad))
        .hasMessageContaining("--steps " + bad + ", sequence 2: ")
        .hasMessageContaining("click needs selector");
    Files.writeString(bad, "on: x\n");
    assertThatThrownBy(() -> StepsFile.read(bad))
        .hasMessageContaining("must hold a list of {on, steps}");
    Files.writeString(bad, "- [unclosed\n");
    assertThatThrownBy(() -> StepsFile.read(bad)).hasMessageContaining("is not YAML or JSON");
  }

  @Test
  void readsLoginStepsAndSaysWhichStepIsBad() throws Exception {
    Path login = dir.resolve("login.yaml");
    Files.writeString(
        login, "- {action: fill, selector: '#user', credential: username}\n- {action: click}\n");
    assertThatThrownBy(() -> StepsFile.readSteps(login))
        .hasMessageContaining("--login-steps " + login + ", step 2: ")
        .hasMessageContaining("click needs selector");
    Files.writeString(login, "- {action: click, selector: '#go'}\n");
    assertThat(StepsFile.readSteps(login).get(0).selector()).isEqualTo("#go");
    Files.writeString(login, "action: click\n");
    assertThatThrownBy(() -> StepsFile.readSteps(login))
        .hasMessageContaining("must hold a list of steps");
  }
}

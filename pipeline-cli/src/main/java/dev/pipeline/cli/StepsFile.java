package dev.pipeline.cli;

import dev.pipeline.core.message.CrawlSequence;
import dev.pipeline.core.message.CrawlStep;
import dev.pipeline.core.message.MessageCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/** A {@code crawl --steps} file: a YAML (or JSON) list of {@code {on, steps}} sequences. */
final class StepsFile {
  private static final MessageCodec CODEC = MessageCodec.standard();

  private StepsFile() {}

  /**
   * YAML 1.1 reads {@code on}, {@code yes}, {@code no} and {@code off} as booleans, so the key
   * {@code on:} would arrive as {@code true}. Only true and false are booleans here, as in YAML
   * 1.2.
   */
  private static final class Yaml12Booleans extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(
          Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+.0123456789");
      addImplicitResolver(Tag.MERGE, MERGE, "<");
      addImplicitResolver(Tag.NULL, NULL, "~nN\0");
      addImplicitResolver(Tag.NULL, EMPTY, null);
    }
  }

  /** Reads the sequences; a bad file or step is a one-line CLI error that says where. */
  static List<CrawlSequence> read(Path file) {
    List<?> list = list(file, "--steps", "a list of {on, steps}");
    List<CrawlSequence> sequences = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        sequences.add(CODEC.decode(CODEC.tree(list.get(i)), CrawlSequence.class));
      } catch (RuntimeException e) {
        throw new CliException("--steps " + file + ", sequence " + (i + 1) + ": " + e.getMessage());
      }
    }
    return sequences;
  }

  /** Reads a login's steps: a list of steps, as in a sequence. */
  static List<CrawlStep> readSteps(Path file) {
    List<?> list = list(file, "--login-steps", "a list of steps");
    List<CrawlStep> steps = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        steps.add(CODEC.decode(CODEC.tree(list.get(i)), CrawlStep.class));
      } catch (RuntimeException e) {
        throw new CliException(
            "--login-steps " + file + ", step " + (i + 1) + ": " + e.getMessage());
      }
    }
    return steps;
  }

  private static List<?> list(Path file, String flag, String shape) {
    Object parsed;
    try {
      LoaderOptions options = new LoaderOptions();
      DumperOptions dumper = new DumperOptions();
      parsed =
          new Yaml(
                  new SafeConstructor(options),
                  new Representer(dumper),
                  dumper,
                  options,
                  new Yaml12Booleans())
              .load(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException("cannot read " + flag + " " + file + ": " + e.getMessage());
    } catch (YAMLException e) {
      throw new CliException(
          flag
              + " "
              + file
              + " is not YAML or JSON: "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (!(parsed instanceof List<?> list)) {
      throw new CliException(flag + " " + file + " must hold " + shape);
    }
    return list;
  }
}

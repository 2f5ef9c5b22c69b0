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
    return decodeEach(file, "--steps", "a list of {on, steps}", "sequence", CrawlSequence.class);
  }

  /** Reads a login's steps: a list of steps, as in a sequence. */
  static List<CrawlStep> readSteps(Path file) {
    return decodeEach(file, "--login-steps", "a list of steps", "step", CrawlStep.class);
  }

  /** Each item of the file's list as a {@code type}; a bad one is an error naming its number. */
  private static <T> List<T> decodeEach(
      Path file, String option, String shape, String item, Class<T> type) {
    List<?> list = list(file, option, shape);
    List<T> decoded = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        decoded.add(CODEC.decode(CODEC.tree(list.get(i)), type));
      } catch (RuntimeException e) {
        throw new CliException(
            option + " " + file + ", " + item + " " + (i + 1) + ": " + e.getMessage());
      }
    }
    return decoded;
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

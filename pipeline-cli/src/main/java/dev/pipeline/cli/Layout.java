package dev.pipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are: the repository with the built jars, and the state directory ({@code
 * .pipeline/}) with the broker's data, the logs and the supervisor's state file.
 */
record Layout(Path root, Path home) {

  /** Returns the layout from {@code -Dpipeline.root} (set by bin/pipeline) and PIPELINE_HOME. */
  static Layout detect() {
    Path root = Path.of(System.getProperty("pipeline.root", ".")).toAbsolutePath().normalize();
    String home = System.getenv("PIPELINE_HOME");
    return new Layout(
        root,
        home == null || home.isBlank()
            ? root.resolve(".pipeline")
            : Path.of(home).toAbsolutePath());
  }

  Path jar(String module) {
    Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new CliException(jar + " is missing; build it with: bin/build package -DskipTests");
    }
    return jar;
  }

  Path logs() {
    return home.resolve("logs");
  }

  Path kafkaData() {
    return home.resolve("kafka");
  }

  Path stateFile() {
    return home.resolve("state.json");
  }

  Path sharedArchives() {
    return home.resolve("cds");
  }
}

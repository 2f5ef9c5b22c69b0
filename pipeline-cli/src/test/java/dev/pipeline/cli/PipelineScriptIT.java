package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/pipeline} itself, as a person does: the JDK it finds and what it keeps between
 * runs in {@code PIPELINE_HOME/cds}. The other CLI tests start the jar directly.
 */
class PipelineScriptIT {
  private static final Path ROOT = CliProcess.ROOT;
  private static final Path JAR = ROOT.resolve("pipeline-cli/target/pipeline-cli.jar");

  @TempDir Path home;

  @Test
  void keepsAStartUpCachePerCommandAndLeavesStdoutAlone() throws Exception {
    CliProcess.Result first = script("help", "publish");
    assertThat(first.exit()).isZero();
    assertThat(first.out()).startsWith("Usage: pipeline publish");
    Path cds = home.resolve("cds");
    Path jdkHome = jdkHome();
    String jdk = jdkHome.getFileName().toString();

    if (jdkMajor(jdkHome) >= 25) {
      // The first run records at exit, the next assembles the cache before it starts, the third
      // just uses it; none of it shows on stdout, which scripts parse.
      Path cache = cds.resolve("cli-help." + jdk + ".aot");
      Path recorded = cds.resolve("cli-help." + jdk + ".aot.conf");
      assertThat(recorded).isRegularFile();
      assertThat(cache).doesNotExist();

      CliProcess.Result second = script("help", "publish");
      assertThat(second.out()).isEqualTo(first.out());
      assertThat(second.err()).contains("preparing the start-up cache for 'help'");
      assertThat(cache).isRegularFile();
      assertThat(recorded).doesNotExist();

      CliProcess.Result third = script("help", "publish");
      assertThat(third.out()).isEqualTo(first.out());
      assertThat(third.err()).isEmpty();

      // A jar newer than the cache (a rebuild) makes the next run record again.
      Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minusSeconds(60)));
      Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
      CliProcess.Result afterRebuild = script("help", "publish");
      assertThat(afterRebuild.out()).isEqualTo(first.out());
      assertThat(recorded).isRegularFile();
    } else {
      assertThat(cds.resolve("cli-help.jsa")).isRegularFile();
      assertThat(script("help", "publish").out()).isEqualTo(first.out());
    }

    // A help run loads none of a command's working classes: it is kept as 'help', so it does not
    // decide what the command's own cache holds.
    assertThat(script("hash", "--help").exit()).isZero();
    try (java.util.stream.Stream<Path> files = Files.list(cds)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .noneMatch(file -> file.startsWith("cli-hash"));
    }

    if (jdkMajor(jdkHome) >= 25) {
      // A run refused at its start (nothing to hash) loads too few classes to teach a cache: the
      // next run records again instead of assembling one from it.
      assertThat(script("hash").exit()).isEqualTo(2);
      assertThat(cds.resolve("cli-hash." + jdk + ".aot.conf")).isRegularFile();
      assertThat(cds.resolve("cli-hash." + jdk + ".aot.conf.ok")).doesNotExist();
      CliProcess.Result again = script("hash");
      assertThat(again.err()).doesNotContain("preparing the start-up cache");
      assertThat(cds.resolve("cli-hash." + jdk + ".aot")).doesNotExist();
    }

    // 'hash --producer' loads other classes than 'hash' (HTTP, not Kafka): it has its own cache.
    assertThat(script("hash", "--producer", "no-such-file").exit()).isNotZero();
    assertThat(
            cds.resolve(
                jdkMajor(jdkHome) >= 25
                    ? "cli-hash-producer." + jdk + ".aot.conf"
                    : "cli-hash-producer.jsa"))
        .isRegularFile();
  }

  @Test
  void neverRebuildsTheJarsARunningPipelineUses() throws Exception {
    // Maven rewrites a jar in place, under the JVMs running from it; 'up' leaves state.json.
    Path state = Files.writeString(home.resolve("state.json"), "{}");
    Path source = ROOT.resolve("pipeline-core/pom.xml");
    FileTime was = Files.getLastModifiedTime(source);
    try {
      Files.setLastModifiedTime(source, FileTime.from(Instant.now())); // newer than every jar
      CliProcess.Result running = script("help", "publish");
      assertThat(running.exit()).as("PIPELINE_NO_BUILD fails a run that would build").isZero();
      assertThat(running.out()).startsWith("Usage: pipeline publish");
      assertThat(running.err())
          .contains(
              "changed), but the pipeline runs from them: not rebuilding until 'bin/pipeline"
                  + " down'");

      Files.delete(state);
      CliProcess.Result down = script("help", "publish");
      assertThat(down.exit()).isEqualTo(1);
      assertThat(down.err()).contains("are out of date").contains("PIPELINE_NO_BUILD is set");
    } finally {
      Files.setLastModifiedTime(source, was);
    }
  }

  @Test
  void aBadCommandIsOneLineOnStderr() throws Exception {
    CliProcess.Result result = script("publish", "logs", "--count", "-5");
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().strip()).isEqualTo("pipeline: --count must be at least 1: -5");
  }

  @Test
  void findJdkTakesJavaHomeThenPathThenTheNewestJdkInstalled() throws Exception {
    Path jvms = Files.createDirectories(home.resolve("jvm"));
    Path jdk17 = fakeJdk(jvms.resolve("java-17-openjdk-amd64"), "17.0.15");
    Path jdk21 = fakeJdk(jvms.resolve("jdk-21.0.4"), "21.0.4");
    Path jdk25 = fakeJdk(jvms.resolve("temurin-25-jdk-amd64"), "25.0.1");
    Path onPath = Files.createDirectories(home.resolve("path"));
    Files.createSymbolicLink(onPath.resolve("javac"), jdk17.resolve("bin/javac"));
    String path = onPath + ":/usr/bin:/bin";

    assertThat(findJdk(Map.of("JAVA_HOME", jdk21.toString(), "PATH", path), jvms).out())
        .isEqualTo(jdk21 + "\n");
    // A JAVA_HOME or a javac on PATH older than 21 is passed over for the newest installed.
    assertThat(findJdk(Map.of("JAVA_HOME", jdk17.toString(), "PATH", path), jvms).out())
        .isEqualTo(jdk25 + "\n");
    Files.delete(onPath.resolve("javac"));
    Files.createSymbolicLink(onPath.resolve("javac"), jdk21.resolve("bin/javac"));
    assertThat(findJdk(Map.of("PATH", path), jvms).out()).isEqualTo(jdk21 + "\n");

    CliProcess.Result none =
        findJdk(Map.of("JAVA_HOME", jdk17.toString(), "PATH", "/usr/bin:/bin"), onPath);
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).startsWith("pipeline: no JDK 21 or newer found");
  }

  /** A directory shaped like a JDK: bin/java and bin/javac that do nothing, and a release file. */
  private static Path fakeJdk(Path dir, String version) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("java", "javac")) {
      Path stub = Files.writeString(bin.resolve(tool), "#!/bin/sh\nexit 0\n");
      stub.toFile().setExecutable(true);
    }
    Files.writeString(
        dir.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
    return dir;
  }

  private CliProcess.Result findJdk(Map<String, String> env, Path jvmDir) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("PIPELINE_JVM_DIR", jvmDir.toString());
    all.putIfAbsent("JAVA_HOME", "");
    return CliProcess.execute(List.of(ROOT.resolve("bin/find-jdk").toString()), ROOT, home, all);
  }

  /** Runs bin/pipeline; PIPELINE_NO_BUILD, so stale jars fail the test instead of rebuilding. */
  private CliProcess.Result script(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/pipeline").toString()));
    command.addAll(List.of(args));
    return CliProcess.execute(command, ROOT, home, Map.of("PIPELINE_NO_BUILD", "1"));
  }

  private static Path jdkHome() throws Exception {
    Process process = new ProcessBuilder(ROOT.resolve("bin/find-jdk").toString()).start();
    String found = new String(process.getInputStream().readAllBytes()).strip();
    assertThat(process.waitFor()).isZero();
    return Path.of(found);
  }

  private static int jdkMajor(Path jdkHome) throws Exception {
    String release = Files.readString(jdkHome.resolve("release"));
    java.util.regex.Matcher version =
        java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
    assertThat(version.find()).isTrue();
    return Integer.parseInt(version.group(1));
  }
}

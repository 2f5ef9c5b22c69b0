package dev.pipeline.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a service's JVM keeps between runs in {@code PIPELINE_HOME/cds}, and the options that use
 * it.
 *
 * <p>On JDK 25 and newer an AOT cache (JEP 483, 515: classes loaded and linked, and the methods'
 * profiles, so the JIT compiles the hot ones early; probes: the consumer's CPU 15% lower, a fresh
 * hasher's small-file run 10-20% quicker). A service runs for long, so it learns in its own run: an
 * instance that finds no cache records its configuration when it exits, into a file of its own
 * (several instances may run at once). The next start of that service assembles the cache from one
 * of them in the background and runs without it meanwhile; the starts after that use it. A cache
 * older than the service's jar or the JDK is made again the same way.
 *
 * <p>On JDK 21-24 a class-data archive that the JVM writes at exit.
 */
final class ServiceJvmCache {
  // An assembly that left its marker this long ago has died: another may start.
  private static final Duration ASSEMBLY_TIMEOUT = Duration.ofMinutes(5);

  private final Path dir;
  private final String java;
  private final Path jdkModules = Path.of(System.getProperty("java.home"), "lib", "modules");

  /**
   * @param dir where the caches live
   * @param java the java command the services run with
   */
  ServiceJvmCache(Path dir, String java) {
    this.dir = dir;
    this.java = java;
  }

  /**
   * The options that start instance {@code index} of service {@code name} from {@code jar} with its
   * cache; {@code jvmOptions} are its other options, which an assembly must share.
   */
  List<String> options(String name, int index, Path jar, List<String> jvmOptions) {
    if (Runtime.version().feature() < 25) {
      return List.of(
          "-XX:+AutoCreateSharedArchive",
          "-XX:SharedArchiveFile=" + dir.resolve(name + ".jsa"),
          "-Xshare:auto",
          "-Xlog:cds=off",
          "-Xlog:cds+dynamic=off");
    }
    List<String> quiet = List.of("-Xlog:aot=off", "-Xlog:cds=off");
    Path cache = dir.resolve(name + ".aot");
    if (fresh(cache, jar)) {
      return concat(List.of("-XX:AOTCache=" + cache), quiet);
    }
    Path recorded = freshConfiguration(name, jar);
    if (recorded != null) {
      assembleInBackground(name, jar, jvmOptions, recorded, cache);
      return quiet;
    }
    Path configuration = dir.resolve(name + "." + index + ".aot.conf");
    return concat(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration), quiet);
  }

  private boolean fresh(Path file, Path jar) {
    try {
      FileTime made = Files.getLastModifiedTime(file);
      return made.compareTo(Files.getLastModifiedTime(jar)) > 0
          && (!Files.exists(jdkModules)
              || made.compareTo(Files.getLastModifiedTime(jdkModules)) > 0);
    } catch (IOException e) {
      return false; // no such file
    }
  }

  private @Nullable Path freshConfiguration(String name, Path jar) {
    try (DirectoryStream<Path> recorded = Files.newDirectoryStream(dir, name + ".*.aot.conf")) {
      for (Path configuration : recorded) {
        if (fresh(configuration, jar)) {
          return configuration;
        }
      }
    } catch (IOException e) {
      // no directory yet: nothing recorded
    }
    return null;
  }

  /**
   * Starts one assembly of the cache (a marker file keeps a second start of the service from
   * starting another), detached, so that it outlives {@code pipeline up}. It writes beside the
   * cache and renames, so a service never maps a half-written one, and removes the recorded files.
   */
  private void assembleInBackground(
      String name, Path jar, List<String> jvmOptions, Path recorded, Path cache) {
    Path marker = dir.resolve(name + ".aot.assembling");
    try {
      if (Files.exists(marker)
          && Files.getLastModifiedTime(marker)
              .toInstant()
              .isBefore(Instant.now().minus(ASSEMBLY_TIMEOUT))) {
        Files.deleteIfExists(marker);
      }
      Files.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      return; // another start is assembling it
    } catch (IOException e) {
      return; // the cache is an optimisation: run without it
    }
    Path partial = dir.resolve(name + ".aot.partial");
    List<String> assemble = new ArrayList<>(List.of(java));
    assemble.addAll(jvmOptions);
    assemble.addAll(
        List.of(
            "-XX:AOTMode=create",
            "-XX:AOTConfiguration=" + recorded,
            "-XX:AOTCache=" + partial,
            "-jar",
            jar.toString()));
    String script =
        "\"$@\" && mv -f "
            + quoted(partial)
            + " "
            + quoted(cache)
            + "; rm -f "
            + quoted(partial)
            + " "
            + quoted(marker)
            + " "
            + quoted(dir)
            + "/"
            + name
            + ".*.aot.conf";
    List<String> command = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      command.add("/usr/bin/setsid");
    }
    command.addAll(List.of("/bin/sh", "-c", script, "assemble"));
    command.addAll(assemble);
    try {
      new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".aot.log").toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      try {
        Files.deleteIfExists(marker);
      } catch (IOException ignored) {
        // the timeout frees it
      }
    }
  }

  private static String quoted(Path path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

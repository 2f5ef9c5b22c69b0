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

/**
 * What a service's JVM keeps between runs in {@code PIPELINE_HOME/cds}, and the options that use
 * it.
 *
 * <p>On JDK 25 and newer an AOT cache (JEP 483, 515: classes loaded and linked, and the methods'
 * profiles, so the JIT compiles the hot ones early; probes: the consumer's CPU 15% lower, a fresh
 * hasher's small-file run 10-20% quicker). A service runs for long, so it learns in its own run: an
 * instance that finds no cache records its configuration when it exits, into a file of its own
 * (several instances may run at once). The next start of that service assembles the cache from one
 * of them in the background, and records again meanwhile (an assembly may fail); the starts after
 * that use the cache. A cache older than the service's jar or the JDK is made again the same way.
 *
 * <p>On JDK 21-24 a class-data archive that the JVM writes at exit.
 */
final class ServiceJvmCache {
  // An assembly that left its marker this long ago has died: another may start.
  private static final Duration ASSEMBLY_TIMEOUT = Duration.ofMinutes(5);
  // A recording JVM creates its file empty when it starts and fills it as it exits, for a second
  // or more: a file that is empty, or was written to this recently, is not whole yet.
  private static final Duration SETTLED = Duration.ofSeconds(10);
  // Beside a service's cache while one start assembles it.
  private static final String MARKER = ".aot.assembling";

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
      recorded(name).forEach(ServiceJvmCache::delete); // left by runs while it was assembled
      return concat(List.of("-XX:AOTCache=" + cache), quiet);
    }
    recorded(name).stream()
        .filter(configuration -> fresh(configuration, jar) && settled(configuration))
        .findFirst()
        .ifPresent(
            configuration -> assembleInBackground(name, jar, jvmOptions, configuration, cache));
    Path configuration =
        dir.resolve(name + "." + index + "-" + System.currentTimeMillis() + ".aot.conf");
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

  /**
   * The services whose cache is being assembled in {@code dir} now, by name: while it runs, an
   * assembly takes a core for some seconds, which a user timing the first runs should know.
   */
  static List<String> assembling(Path dir) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> markers = Files.newDirectoryStream(dir, "*" + MARKER)) {
      for (Path marker : markers) {
        if (!left(marker)) {
          String file = marker.getFileName().toString();
          names.add(file.substring(0, file.length() - MARKER.length()));
        }
      }
    } catch (IOException e) {
      return List.of(); // no directory yet, or a marker just removed: nothing to show
    }
    names.sort(null);
    return names;
  }

  /** Whether an assembly's marker is older than any assembly runs: one that died left it. */
  private static boolean left(Path marker) throws IOException {
    return Files.getLastModifiedTime(marker)
        .toInstant()
        .isBefore(Instant.now().minus(ASSEMBLY_TIMEOUT));
  }

  /** Whether a recorded configuration is whole: its JVM has finished writing it. */
  private static boolean settled(Path file) {
    try {
      return Files.size(file) > 0
          && Files.getLastModifiedTime(file).toInstant().isBefore(Instant.now().minus(SETTLED));
    } catch (IOException e) {
      return false;
    }
  }

  /** The configurations the service's runs recorded, oldest name first. */
  private List<Path> recorded(String name) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name + ".*.aot.conf")) {
      files.forEach(found::add);
    } catch (IOException e) {
      // no directory yet: nothing recorded
    }
    found.sort(null);
    return found;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a later start tries again
    }
  }

  /**
   * Starts one assembly of the cache (a marker file keeps a second start of the service from
   * starting another), detached, so that it outlives {@code pipeline up}. It writes beside the
   * cache and renames, so a service never maps a half-written one, and removes the file it read
   * (which a failed assembly leaves useless).
   */
  private void assembleInBackground(
      String name, Path jar, List<String> jvmOptions, Path recorded, Path cache) {
    Path marker = dir.resolve(name + MARKER);
    try {
      if (Files.exists(marker) && left(marker)) {
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
            + quoted(recorded);
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

package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident CLI that {@code up} starts and {@code bin/pipeline hash} relays to: real processes,
 * a real broker, the real script, run from another directory than the pipeline's.
 */
class ResidentCliIT {
  @TempDir Path home;
  private CliProcess cli;
  private Path files;

  @BeforeEach
  void setUp() throws Exception {
    cli = new CliProcess(home).env("PIPELINE_HASHER_ROOTS", home.toString());
    files = Files.createDirectories(home.resolve("files"));
    Files.createDirectories(files.resolve("sub dir"));
    Files.writeString(files.resolve("a.txt"), "a");
    Files.writeString(files.resolve("sub dir/b.txt"), "b");
    Files.writeString(files.resolve("back\\slash"), "c");
  }

  @AfterEach
  void down() throws Exception {
    cli.run("down", "--timeout", "10");
  }

  private void up(String hashers) throws Exception {
    CliProcess.Result up =
        cli.run(
            "up", "--producers", "0", "--consumers", "0", "--crawlers", "0", "--hashers", hashers);
    assertThat(up.exit()).as(up.err()).isZero();
  }

  private String residentLog() throws Exception {
    Path log = home.resolve("logs/cli.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static String sha256sum(Path dir, String... names) throws Exception {
    Process process =
        new ProcessBuilder(
                java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("sha256sum"), java.util.Arrays.stream(names))
                    .toList())
            .directory(dir.toFile())
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).isZero();
    return out;
  }

  @Test
  void hashRunsInTheResidentCliAsIfInTheCallersDirectory() throws Exception {
    up("1");

    CliProcess.Result hash = cli.script(files, "hash", ".", "sub dir", "--wait");
    assertThat(hash.exit()).as(hash.err()).isZero();
    assertThat(hash.out())
        .isEqualTo(
            sha256sum(files, "./a.txt", "./back\\slash", "./sub dir/b.txt", "sub dir/b.txt"));
    assertThat(residentLog()).contains("exit 0 in", "s: pipeline hash . sub dir --wait\n");

    // --manifest and --verify name files relative to the caller too.
    CliProcess.Result manifest =
        cli.script(files, "hash", "a.txt", "sub dir", "--manifest", "out.sha256");
    assertThat(manifest.exit()).as(manifest.err()).isZero();
    assertThat(Files.readString(files.resolve("out.sha256")))
        .isEqualTo(sha256sum(files, "a.txt", "sub dir/b.txt"));
    Files.writeString(files.resolve("a.txt"), "changed");
    CliProcess.Result verify = cli.script(files, "hash", "--verify", "out.sha256");
    assertThat(verify.exit()).isEqualTo(1);
    assertThat(verify.out()).isEqualTo("a.txt: FAILED\nsub dir/b.txt: OK\n");
    assertThat(verify.err()).contains("1 computed checksum(s) did NOT match");
    // A bad command's one-line error comes back with its exit code.
    CliProcess.Result missing = cli.script(files, "hash", "nowhere");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).isEqualTo("pipeline: no such file or directory: nowhere");
    assertThat(residentLog())
        .contains("exit 1 in", "s: pipeline hash --verify out.sha256\n")
        .contains("exit 2 in", "s: pipeline hash nowhere\n");

    // The tiny jobs of 'publish hash' too.
    CliProcess.Result strings = cli.script(files, "publish", "hash", "--strings", "100", "--wait");
    assertThat(strings.exit()).as(strings.err()).isZero();
    assertThat(strings.out()).contains("\n100 results in");
    assertThat(residentLog())
        .contains("exit 0 in", "s: pipeline publish hash --strings 100 --wait\n");

    // Another PIPELINE_* environment than up's: run in a JVM of its own, with the same answer.
    CliProcess.Result own = cli.env("PIPELINE_NO_RESIDENT", "1").script(files, "hash", "sub dir");
    assertThat(own.exit()).as(own.err()).isZero();
    assertThat(residentLog()).doesNotContain("pipeline hash sub dir (in");
  }

  @Test
  void ctrlCStopsARelayedCommandAndTheResidentCliTakesTheNext() throws Exception {
    up("0"); // no worker: the command waits until stopped
    Path out = home.resolve("waiting.out");
    Path err = home.resolve("waiting.err");
    Process waiting = cli.startScript(files, out, err, "hash", ".", "--wait");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> residentLog().contains("pipeline hash . --wait (in " + files + ")"));

    // Busy with that one: a second command runs in a JVM of its own meanwhile.
    CliProcess.Result second = cli.script(files, "hash", "a.txt");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).startsWith("Published 1 hash jobs");
    assertThat(residentLog()).doesNotContain("pipeline hash a.txt (in");

    // Ctrl-C reaches the relaying JVM (a terminal signals the whole foreground group).
    relayClient(waiting).destroy(); // SIGTERM stops a JVM as SIGINT does: shutdown hooks
    assertThat(waiting.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(waiting.exitValue()).isEqualTo(130);
    assertThat(Files.readString(err)).contains("Interrupted after");
    assertThat(residentLog()).contains("exit 130 in", "s: pipeline hash . --wait\n");

    assertThat(cli.run("scale", "hasher-worker=1").exit()).isZero();
    CliProcess.Result after = cli.script(files, "hash", "a.txt", "--wait");
    assertThat(after.exit()).as(after.err()).isZero();
    assertThat(after.out()).isEqualTo(sha256sum(files, "a.txt"));
    assertThat(residentLog()).contains("exit 0 in", "s: pipeline hash a.txt --wait\n");
  }

  @Test
  void aKilledResidentCliLeavesCommandsToTheirOwnJvmUntilUpStartsAnother() throws Exception {
    up("1");
    long pid = Long.parseLong(Files.readString(home.resolve("cli/pid")).strip());
    ProcessHandle resident = ProcessHandle.of(pid).orElseThrow();
    new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).start().waitFor();
    resident.onExit().get(30, TimeUnit.SECONDS);
    assertThat(home.resolve("cli/cli.sock")).exists(); // left behind: it refuses connections

    CliProcess.Result alone = cli.script(files, "hash", "a.txt", "--wait");
    assertThat(alone.exit()).as(alone.err()).isZero();
    assertThat(alone.out()).isEqualTo(sha256sum(files, "a.txt"));

    assertThat(cli.run("up").out()).contains("already up");
    long second = Long.parseLong(Files.readString(home.resolve("cli/pid")).strip());
    assertThat(second).isNotEqualTo(pid);
    CliProcess.Result relayed = cli.script(files, "hash", "a.txt", "--wait");
    assertThat(relayed.out()).isEqualTo(alone.out());
    assertThat(residentLog()).contains("pipeline hash a.txt --wait (in " + files + ")");

    CliProcess.Result status = cli.run("status", "--json", "--interval", "0.2");
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(status.out())
                .get("processes"))
        .anySatisfy(
            p -> {
              assertThat(p.get("service").asText()).isEqualTo("resident-cli");
              assertThat(p.get("pid").asLong()).isEqualTo(second);
              assertThat(p.get("alive").asBoolean()).isTrue();
            });
    assertThat(cli.run("down").exit()).isZero();
    assertThat(ProcessHandle.of(second)).isEmpty();
    assertThat(home.resolve("cli/cli.sock")).doesNotExist();
  }

  /** The JVM that bin/pipeline started to relay the command, once it runs. */
  private static ProcessHandle relayClient(Process script) {
    List<ProcessHandle> java =
        script
            .descendants()
            .filter(p -> p.info().commandLine().orElse("").contains("RelayClient"))
            .toList();
    return java.isEmpty() ? null : java.get(0);
  }
}

package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipeline hash} end to end: the real CLI, a real broker, real hasher processes. */
class HashCliIT {
  @TempDir Path home;
  private CliProcess cli;

  @BeforeEach
  void setUp() throws IOException {
    cli =
        new CliProcess(home)
            .env("PIPELINE_HASHER_ROOTS", home.toString())
            // The broker's minimum: a killed worker's jobs come back 15 s later, not 60.
            .env("PIPELINE_HASHER_LOCK_DURATION", "PT15S");
  }

  @AfterEach
  void down() throws Exception {
    cli.run("down", "--timeout", "10");
  }

  private void up(String... counts) throws Exception {
    List<String> args = new ArrayList<>(List.of("up", "--producers", "0", "--crawlers", "0"));
    args.addAll(List.of(counts));
    CliProcess.Result up = cli.run(args.toArray(String[]::new));
    assertThat(up.exit()).as(up.err()).isZero();
  }

  @Test
  void manifestEqualsSha256sumByteForByteAndVerifyFindsChanges() throws Exception {
    Path files = Files.createDirectories(home.resolve("files"));
    Files.createDirectories(files.resolve("a/b/c"));
    Files.createFile(files.resolve("empty"));
    Files.createFile(files.resolve("a/b/c/also empty"));
    Files.writeString(files.resolve("with space.txt"), "space");
    Files.writeString(files.resolve("ünïcødé ✓.txt"), "unicode");
    Files.writeString(files.resolve("back\\slash"), "backslash");
    Files.writeString(files.resolve("new\nline"), "newline");
    Files.writeString(files.resolve("a/both\\and\nthis"), "both");
    byte[] big = new byte[100 * 1024 * 1024];
    new Random(1).nextBytes(big);
    Files.write(files.resolve("a/b/100MB.bin"), big);
    // A link to a file is hashed as that file; a linked directory is not walked into.
    Files.createSymbolicLink(files.resolve("link to unicode"), files.resolve("ünïcødé ✓.txt"));
    Files.createSymbolicLink(files.resolve("linked dir"), files.resolve("a"));
    Files.createSymbolicLink(files.resolve("broken link"), files.resolve("nowhere")); // skipped
    // With a producer-service, which takes the jobs when asked (--producer).
    CliProcess.Result up = cli.run("up", "--consumers", "0", "--crawlers", "0");
    assertThat(up.exit()).as(up.err()).isZero();

    CliProcess.Result hash =
        cli.runIn(home, "hash", "files", "--wait", "--manifest", "files.sha256");
    assertThat(hash.exit()).as(hash.err()).isZero();
    byte[] ours = Files.readAllBytes(home.resolve("files.sha256"));

    List<String> names = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(home.resolve("files"))) {
      walk.filter(Files::isRegularFile)
          .sorted()
          .forEach(p -> names.add(home.relativize(p).toString()));
    }
    assertThat(names).hasSize(9).contains("files/link to unicode");
    List<String> command = new ArrayList<>(List.of("sha256sum"));
    command.addAll(names);
    Process sha256sum = new ProcessBuilder(command).directory(home.toFile()).start();
    byte[] theirs = sha256sum.getInputStream().readAllBytes();
    assertThat(sha256sum.waitFor()).isZero();
    assertThat(new String(ours, StandardCharsets.UTF_8))
        .isEqualTo(new String(theirs, StandardCharsets.UTF_8));
    assertThat(ours).isEqualTo(theirs);

    // Both routes give the same digests, and say which one they took.
    Map<String, String> expected = new HashMap<>();
    for (String line : new String(theirs, StandardCharsets.UTF_8).split("\n")) {
      if (!line.startsWith("\\")) { // escaped names are checked byte for byte above
        expected.put(line.substring(66), line.substring(0, 64));
      }
    }
    for (String route : List.of("producer-service at http://127.0.0.1:", "Kafka at 127.0.0.1:")) {
      CliProcess.Result json =
          route.startsWith("Kafka")
              ? cli.runIn(home, "hash", "files", "--wait", "--json")
              : cli.runIn(home, "hash", "files", "--wait", "--json", "--producer");
      assertThat(json.exit()).as(json.err()).isZero();
      com.fasterxml.jackson.databind.JsonNode summary =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
      assertThat(summary.get("via").asText()).startsWith(route);
      assertThat(summary.get("failed").asInt()).isZero();
      Map<String, String> digests = new HashMap<>();
      summary
          .get("results")
          .forEach(
              f -> digests.put(f.get("name").asText(), f.get("digests").get("SHA-256").asText()));
      assertThat(digests).hasSize(9).containsAllEntriesOf(expected);
    }

    Process check =
        new ProcessBuilder("sha256sum", "-c", "files.sha256")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .start();
    String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor()).as(checked).isZero();

    CliProcess.Result verified = cli.runIn(home, "hash", "--verify", "files.sha256");
    assertThat(verified.exit()).as(verified.err()).isZero();
    assertThat(verified.out()).contains("files/a/b/100MB.bin: OK").doesNotContain("FAILED");
    assertThat(verified.out())
        .as("the OK lines, names escaped as sha256sum -c escapes them")
        .isEqualTo(checked);

    Files.writeString(files.resolve("with space.txt"), "changed");
    Files.delete(files.resolve("empty"));
    CliProcess.Result failed = cli.runIn(home, "hash", "--verify", "files.sha256");
    assertThat(failed.exit()).isEqualTo(1);
    assertThat(failed.out())
        .contains("files/with space.txt: FAILED\n")
        .contains("files/empty: FAILED open or read\n")
        .contains("files/a/b/100MB.bin: OK");
    assertThat(failed.err()).contains("1 computed checksum(s) did NOT match");
  }

  @Test
  void sigkillOfOneOfTwoHashersLeavesEveryJobWithExactlyOneStoredResult() throws Exception {
    Path many = Files.createDirectories(home.resolve("many"));
    Map<String, String> expected = new HashMap<>();
    Random random = new Random(2);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 20_000; i++) {
      Path dir = Files.createDirectories(many.resolve("d" + (i % 200)));
      byte[] content = new byte[1024 + random.nextInt(3 * 1024)];
      random.nextBytes(content);
      Path file = Files.write(dir.resolve("f" + i), content);
      expected.put(file.toString(), HexFormat.of().formatHex(sha256.digest(content)));
    }
    up("--consumers", "1", "--hashers", "2");
    Path db = home.resolve("data/pipeline.db");

    CliProcess.Result published = cli.runIn(home, "hash", "many");
    assertThat(published.exit()).as(published.err()).isZero();
    assertThat(published.out()).contains("Published 20,000 hash jobs");
    Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> storedResults(db) > 0);
    ManagedProcess victim =
        State.load(home.resolve("state.json")).orElseThrow().instancesOf(ServiceName.HASHER).get(0);
    new ProcessBuilder("kill", "-9", String.valueOf(victim.pid()))
        .start()
        .waitFor(10, TimeUnit.SECONDS);
    long atKill = storedResults(db);

    Awaitility.await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> storedResults(db) >= 20_000);
    Thread.sleep(3000); // a duplicate stored late would show now
    Map<String, Integer> rows = new HashMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT source, digests, error FROM hash_results")) {
      while (rs.next()) {
        String source = rs.getString(1);
        rows.merge(source, 1, Integer::sum);
        assertThat(rs.getString(3)).as(source).isNull();
        assertThat(rs.getString(2)).as(source).contains(expected.get(source));
      }
    }
    assertThat(atKill).as("killed mid-run").isLessThan(20_000);
    assertThat(rows.keySet()).isEqualTo(expected.keySet());
    assertThat(rows.values()).allMatch(count -> count == 1);
  }

  private static long storedResults(Path db) {
    if (!Files.exists(db)) {
      return 0;
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM hash_results")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (java.sql.SQLException e) {
      return 0; // not migrated yet
    }
  }
}

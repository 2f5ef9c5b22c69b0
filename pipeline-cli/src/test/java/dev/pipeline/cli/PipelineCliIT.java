package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.testing.Topic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real CLI jar, which starts a real broker and real service processes. */
class PipelineCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private CliProcess cli;
  private int port;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliProcess(home);
    port = cli.port();
  }

  @AfterEach
  void down() throws Exception {
    pipeline("down", "--timeout", "10");
  }

  private CliProcess.Result pipeline(String... args) throws Exception {
    return cli.run(args);
  }

  private JsonNode status() throws Exception {
    CliProcess.Result status = pipeline("status", "--json", "--interval", "0.5");
    assertThat(status.exit()).as(status.err()).isZero();
    return JSON.readTree(status.out());
  }

  private static List<JsonNode> processes(JsonNode status, String service) {
    return StreamSupport.stream(status.get("processes").spliterator(), false)
        .filter(p -> p.get("service").asText().equals(service))
        .toList();
  }

  private static JsonNode group(JsonNode status, String name) {
    return StreamSupport.stream(status.get("groups").spliterator(), false)
        .filter(g -> g.get("group").asText().equals(name))
        .findFirst()
        .orElse(JSON.nullNode());
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  @Test
  void aServiceLearnsItsStartUpCacheInItsOwnRunAndUsesItFromTheThirdStart() throws Exception {
    String[] up = {
      "up", "--producers", "0", "--consumers", "0", "--crawlers", "0", "--hashers", "1"
    };
    Path cds = home.resolve("cds");
    assertThat(pipeline(up).exit()).isZero();
    assertThat(pipeline("down", "--timeout", "20").exit()).isZero();
    if (Runtime.version().feature() < 25) {
      assertThat(cds.resolve("hasher-worker.jsa")).isRegularFile();
      return;
    }
    // The first run recorded at its exit. A start at least 10 s later assembles the cache from it
    // in the background (an earlier one might read a file a stopping JVM is still writing), and
    // records once more meanwhile.
    List<Path> recorded = recorded(cds);
    assertThat(recorded).hasSize(1);
    Files.setLastModifiedTime(
        recorded.get(0),
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(20)));
    assertThat(pipeline(up).exit()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.exists(cds.resolve("hasher-worker.aot")));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !Files.exists(cds.resolve("hasher-worker.aot.assembling")));
    assertThat(recorded.get(0)).as("the configuration it read").doesNotExist();
    assertThat(pipeline("down", "--timeout", "20").exit()).isZero();
    assertThat(recorded(cds)).as("what the second run recorded").hasSize(1);

    assertThat(pipeline(up).exit()).isZero();
    long pid = processes(status(), "hasher-worker").get(0).get("pid").asLong();
    assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline")))
        .contains("-XX:AOTCache=" + cds.resolve("hasher-worker.aot"));
    assertThat(recorded(cds)).as("left over once the cache is used").isEmpty();
    CliProcess.Result hashed = pipeline("publish", "hash", "--strings", "500", "--wait");
    assertThat(hashed.exit()).as(hashed.err()).isZero();
    assertThat(hashed.out()).contains("500 results");
  }

  private static List<Path> recorded(Path cds) throws IOException {
    try (var files = Files.newDirectoryStream(cds, "hasher-worker.*.aot.conf")) {
      List<Path> found = new ArrayList<>();
      files.forEach(found::add);
      return found;
    }
  }

  @Test
  void upStatusScaleAndDownManageRealProcesses() throws Exception {
    CliProcess.Result up = pipeline("up");
    assertThat(up.exit()).as(up.err()).isZero();
    assertThat(up.out()).contains("The pipeline is up in").contains("Kafka 127.0.0.1:" + port);

    CliProcess.Result again = pipeline("up");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).startsWith("The pipeline is already up");

    JsonNode status = status();
    for (String service :
        List.of(
            "local-kafka",
            "producer-service",
            "consumer-service",
            "crawler-service",
            "hasher-worker")) {
      assertThat(processes(status, service))
          .as(service)
          .hasSize(1)
          .allMatch(p -> p.get("alive").asBoolean() && p.get("rssBytes").asLong() > 0);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              JsonNode s = status();
              return group(s, "hasher").path("type").asText().equals("share")
                  && group(s, "consumer-service").path("members").asInt() == 1;
            });

    // An assembly of a start-up cache is shown while its marker is there (a made-up service's, so
    // no real assembly is held up).
    Path marker = Files.createFile(home.resolve("cds").resolve("example-service.aot.assembling"));
    assertThat(status().get("assemblingCaches").toString()).isEqualTo("[\"example-service\"]");
    assertThat(pipeline("status", "--interval", "0.5").out())
        .contains(
            "Making start-up caches in the background (a core for some seconds): example-service");
    Files.delete(marker);
    assertThat(status().get("assemblingCaches").toString()).isEqualTo("[]");

    CliProcess.Result logs = pipeline("publish", "logs", "--count", "5000", "--error-ratio", "0.1");
    assertThat(logs.exit()).as(logs.err()).isZero();
    assertThat(logs.out()).startsWith("Published 5,000 log events in");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                JSON.readTree(pipeline("logs", "stats", "--json").out())
                        .path("totalStored")
                        .asLong()
                    == 5000);
    // Each member's share of the partitions: one consumer owns them all, with all 5,000 done
    // (its offsets reach Kafka a moment after the rows reach the store).
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> group(status(), "consumer-service").at("/assignments/0/done").asLong() == 5000);
    JsonNode alone = group(status(), "consumer-service").get("assignments");
    assertThat(alone).hasSize(1);
    assertThat(alone.get(0).get("service").asText()).isEqualTo("consumer-service");
    assertThat(alone.get(0).get("index").asInt()).isEqualTo(1);
    assertThat(alone.get(0).get("lag").asLong()).isZero();
    List<String> allPartitions = texts(alone.get(0).get("partitions"));
    assertThat(allPartitions).isNotEmpty().allMatch(p -> p.startsWith("logs.events-"));
    CliProcess.Result scaleConsumers = pipeline("scale", "consumer-service=2");
    assertThat(scaleConsumers.exit()).as(scaleConsumers.err()).isZero();
    // The joiner gets a share of the partitions, and the two own them apart.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              JsonNode members = group(status(), "consumer-service").get("assignments");
              return members.size() == 2
                  && !members.get(0).get("partitions").isEmpty()
                  && !members.get(1).get("partitions").isEmpty();
            });
    JsonNode shared = group(status(), "consumer-service").get("assignments");
    List<String> first = texts(shared.get(0).get("partitions"));
    List<String> second = texts(shared.get(1).get("partitions"));
    assertThat(first).doesNotContainAnyElementsOf(second);
    assertThat(java.util.stream.Stream.concat(first.stream(), second.stream()))
        .containsExactlyInAnyOrderElementsOf(allPartitions);
    assertThat(List.of(shared.get(0).get("index").asInt(), shared.get(1).get("index").asInt()))
        .containsExactlyInAnyOrder(1, 2);
    assertThat(shared.get(0).get("done").asLong() + shared.get(1).get("done").asLong())
        .isEqualTo(5000);
    assertThat(pipeline("status", "--interval", "0.5").out())
        .containsPattern("consumer-service #2 +consumer-service +\\d+: logs\\.events ");

    JsonNode errors =
        JSON.readTree(
            pipeline("logs", "search", "--level", "ERROR", "--limit", "10000", "--json").out());
    assertThat(errors.get("events"))
        .isNotEmpty()
        .allMatch(e -> e.get("level").asText().equals("ERROR"));
    CliProcess.Result misspelt =
        pipeline("publish", "logs", "--count", "10", "--topic", "logs.evnets");
    assertThat(misspelt.exit()).isEqualTo(2);
    assertThat(misspelt.err())
        .isEqualTo(
            "pipeline: Kafka at 127.0.0.1:"
                + port
                + " has no topic logs.evnets (check --topic; 'pipeline up' creates the pipeline's"
                + " topics)\n");
    CliProcess.Result badLevel = pipeline("logs", "search", "--level", "LOUD");
    assertThat(badLevel.exit()).isEqualTo(2);
    assertThat(badLevel.err())
        .isEqualTo("pipeline: level must be one of [TRACE, DEBUG, INFO, WARN, ERROR]: LOUD\n");

    int jobs = 20_000;
    CliProcess.Result publish = pipeline("publish", "hash", "--strings", String.valueOf(jobs));
    assertThat(publish.exit()).as(publish.err()).isZero();
    assertThat(publish.out()).startsWith("Published 20,000 hash jobs in");
    Topic results = new Topic("127.0.0.1:" + port, "hash.results");
    Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> new HashSet<>(results.keys()).size() == jobs);
    Awaitility.await("share-group progress counts the acknowledged jobs")
        .atMost(Duration.ofSeconds(30))
        .until(() -> group(status(), "hasher").get("done").asLong() == jobs);

    CliProcess.Result scaleUp = pipeline("scale", "hasher-worker=2");
    assertThat(scaleUp.exit()).as(scaleUp.err()).isZero();
    assertThat(scaleUp.out())
        .contains("hasher-worker: 1 -> 2")
        .contains("hasher-worker now has 2 process(es)");
    List<JsonNode> hashers = processes(status(), "hasher-worker");
    assertThat(hashers).hasSize(2).allMatch(p -> p.get("alive").asBoolean());

    CliProcess.Result scaleDown = pipeline("scale", "hasher-worker=1");
    assertThat(scaleDown.exit()).as(scaleDown.err()).isZero();
    long stoppedPid =
        hashers.stream()
            .filter(p -> p.get("index").asInt() == 2)
            .findFirst()
            .orElseThrow()
            .get("pid")
            .asLong();
    assertThat(ProcessHandle.of(stoppedPid)).isEmpty();
    assertThat(Files.readString(home.resolve("logs/hasher-worker-2.log")))
        .contains("Stopping hasher-worker: finishing in-flight jobs");

    List<Long> pids = new ArrayList<>();
    status().get("processes").forEach(p -> pids.add(p.get("pid").asLong()));
    CliProcess.Result down = pipeline("down");
    assertThat(down.exit()).as(down.err()).isZero();
    assertThat(down.out()).contains("The pipeline is down: stopped 6 process(es)");
    assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).isEmpty());
    assertThat(Supervisor.portFree(port)).as("broker port freed").isTrue();
    assertThat(Supervisor.portFree(port + 1)).as("controller port freed").isTrue();
    assertThat(pipeline("status").exit()).isEqualTo(3);
  }

  @Test
  void upOnATakenPortFailsInOneLineAndLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      CliProcess.Result up = pipeline("up");
      assertThat(up.exit()).isEqualTo(2);
      assertThat(up.err().lines().toList())
          .containsExactly(
              "pipeline: port "
                  + port
                  + " on 127.0.0.1, needed by the broker, is already in use; stop what uses it or pick another with --port (or PIPELINE_KAFKA_PORT)");
    }
    assertThat(Files.exists(home.resolve("state.json"))).isFalse();
  }

  @Test
  void badArgumentsGetOneLineAndANonZeroExit() throws Exception {
    CliProcess.Result unknown = pipeline("scale", "dishwasher=2");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err())
        .startsWith("pipeline: unknown service 'dishwasher'; expected one of: producer-service");
    CliProcess.Result negative = pipeline("up", "--hashers", "-1");
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).isEqualTo("pipeline: --hashers must be 0 or more: -1\n");
    CliProcess.Result notUp = pipeline("scale", "hasher-worker=2");
    assertThat(notUp.exit()).isEqualTo(3);
    assertThat(notUp.err())
        .isEqualTo("pipeline: the pipeline is not up; start it with: bin/pipeline up\n");
    CliProcess.Result unreachable = pipeline("up", "--bootstrap", "127.0.0.1:1");
    assertThat(unreachable.exit()).isEqualTo(2);
    assertThat(unreachable.err())
        .isEqualTo("pipeline: cannot reach Kafka at 127.0.0.1:1 (no answer within 10 s)\n");
    // A producer would block a minute per record here, saying nothing.
    for (String[] command :
        List.of(
            new String[] {"publish", "logs", "--count", "10"},
            new String[] {"publish", "hash", "--strings", "10"},
            new String[] {"hash", CliProcess.ROOT.resolve("pom.xml").toString()},
            // Waiting, the reader of results checks the topics in place of an Admin client.
            new String[] {"hash", CliProcess.ROOT.resolve("pom.xml").toString(), "--wait"})) {
      List<String> args = new java.util.ArrayList<>(List.of(command));
      args.addAll(List.of("--bootstrap", "127.0.0.1:1"));
      CliProcess.Result down = pipeline(args.toArray(String[]::new));
      assertThat(down.exit()).as(args.toString()).isEqualTo(2);
      assertThat(down.err())
          .isEqualTo("pipeline: cannot reach Kafka at 127.0.0.1:1 (no answer within 10 s)\n");
    }
    String pom = CliProcess.ROOT.resolve("pom.xml").toString();
    CliProcess.Result noProducer = pipeline("hash", pom, "--producer", "http://127.0.0.1:1");
    assertThat(noProducer.exit()).isEqualTo(2);
    assertThat(noProducer.err())
        .isEqualTo(
            "pipeline: cannot reach producer-service at http://127.0.0.1:1: Connection refused\n");
    CliProcess.Result both = pipeline("hash", pom, "--producer", "--bootstrap", "127.0.0.1:1");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).isEqualTo("pipeline: give --producer or --bootstrap, not both\n");
    CliProcess.Result noPipeline = pipeline("hash", pom, "--producer");
    assertThat(noPipeline.exit()).isEqualTo(3);
    assertThat(noPipeline.err())
        .isEqualTo("pipeline: the pipeline is not up; start it with: bin/pipeline up\n");
  }
}

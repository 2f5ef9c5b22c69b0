package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.localkafka.BrokerSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.yml} checked against the code, since no Docker engine runs here: what it
 * builds exists, the variables it sets are ones the services read, the ports and versions agree
 * with the code, and the workers can scale.
 */
class ComposeFileTest {
  private static final Path ROOT = CliProcess.ROOT;
  private static final List<String> SERVICES =
      List.of("producer-service", "consumer-service", "crawler-service", "hasher-worker");
  private static final List<String> WORKERS =
      List.of("consumer-service", "crawler-service", "hasher-worker");
  private static Map<String, Object> services;
  private static String dockerfile;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    try (Reader reader = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
      Map<String, Object> compose = new Yaml().load(reader); // resolves the <<: *service merges
      services = (Map<String, Object>) compose.get("services");
    }
    dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  private static Map<String, Object> service(String name) {
    assertThat(services).as("services").containsKey(name);
    return map(services.get(name));
  }

  private static Map<String, String> environment(String name) {
    Map<String, String> env = new java.util.HashMap<>();
    map(service(name).get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  @Test
  void everyServiceIsBuiltFromThisRepository() {
    assertThat(services.keySet()).containsAll(SERVICES).contains("kafka", "postgres");
    for (String name : SERVICES) {
      Map<String, Object> build = map(service(name).get("build"));
      assertThat(ROOT.resolve(String.valueOf(build.get("context")))).isDirectory();
      assertThat(ROOT.resolve(String.valueOf(build.get("dockerfile")))).isRegularFile();
      assertThat(map(build.get("args"))).containsEntry("SERVICE", name);
      assertThat(ROOT.resolve(name).resolve("pom.xml"))
          .content()
          .contains("<artifactId>" + name + "</artifactId>");
    }
    // The jar the image copies is the one the shade plugin writes: target/ARTIFACT.jar.
    assertThat(dockerfile).contains("/src/${SERVICE}/target/${SERVICE}.jar");
    assertThat(ROOT.resolve("pom.xml"))
        .content()
        .contains("${project.build.directory}/${project.artifactId}.jar");
    assertThat(dockerfile).contains("FROM eclipse-temurin:21-jre").contains("USER pipeline");
    // The crawler's image is the stage with the Chromium it renders with, where it looks for it.
    Object target = map(service("crawler-service").get("build")).get("target");
    assertThat(dockerfile).contains("AS " + target);
    String crawlerStage =
        dockerfile.substring(dockerfile.indexOf("AS " + target), dockerfile.indexOf("AS service"));
    assertThat(crawlerStage)
        .contains("chromium-headless-shell")
        .contains("openjdk-21-jre")
        .contains("crawler-service.jar")
        .contains("PIPELINE_CHROMIUM=/usr/bin/chromium-headless-shell\n");
  }

  @Test
  void everyPipelineVariableIsOneTheServiceReadsAndTheRequiredOnesAreSet() throws IOException {
    for (String name : SERVICES) {
      Set<String> read = variablesRead(name);
      for (String variable : environment(name).keySet()) {
        if (variable.startsWith("PIPELINE_KAFKA_")) {
          continue; // any Kafka client property, e.g. PIPELINE_KAFKA_SECURITY_PROTOCOL
        }
        assertThat(read).as("%s reads %s", name, variable).contains(variable);
      }
      assertThat(environment(name)).as(name).containsEntry("PIPELINE_BOOTSTRAP", "kafka:9092");
    }
    Map<String, String> kafka = environment("kafka");
    assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092");
    assertThat(kafka.get("KAFKA_LISTENERS")).contains("PLAINTEXT://:9092");
    for (String http : List.of("producer-service", "consumer-service")) {
      assertThat(environment(http)).as(http).containsEntry("PIPELINE_HTTP_HOST", "0.0.0.0");
    }
    Map<String, String> postgres = environment("postgres");
    assertThat(environment("consumer-service").get("PIPELINE_DB_URL"))
        .startsWith("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB") + "?")
        .contains("user=" + postgres.get("POSTGRES_USER"))
        .contains("password=" + postgres.get("POSTGRES_PASSWORD"));
    String roots = environment("hasher-worker").get("PIPELINE_HASHER_ROOTS");
    assertThat(roots).isNotBlank();
    assertThat((List<?>) service("hasher-worker").get("volumes"))
        .anySatisfy(volume -> assertThat(String.valueOf(volume)).contains(":" + roots + ":ro"));
  }

  /** The PIPELINE_* names in a service's and pipeline-core's main sources and resources. */
  private static Set<String> variablesRead(String service) throws IOException {
    Set<String> names = new TreeSet<>();
    Pattern variable = Pattern.compile("PIPELINE_[A-Z0-9_]+");
    for (Path dir :
        List.of(
            ROOT.resolve(service).resolve("src/main"), ROOT.resolve("pipeline-core/src/main"))) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Matcher matcher = variable.matcher(Files.readString(file));
          while (matcher.find()) {
            names.add(matcher.group());
          }
        }
      }
    }
    names.add(dockerfileVariable());
    return names;
  }

  private static String dockerfileVariable() {
    Matcher env = Pattern.compile("ENV (PIPELINE_[A-Z_]+)=").matcher(dockerfile);
    assertThat(env.find()).isTrue();
    return env.group(1);
  }

  @Test
  void portsVersionsAndHealthAgreeWithTheCode() throws IOException {
    assertThat(environment("producer-service"))
        .containsEntry(
            "PIPELINE_HTTP_PORT",
            defaultPort(
                "producer-service/src/main/java/dev/pipeline/producer/ProducerService.java"));
    assertThat(String.valueOf(service("producer-service").get("ports"))).isEqualTo("[8080:8080]");
    assertThat(environment("consumer-service"))
        .containsEntry(
            "PIPELINE_HTTP_PORT",
            defaultPort(
                "consumer-service/src/main/java/dev/pipeline/consumer/ConsumerService.java"));
    String kafkaVersion =
        between(Files.readString(ROOT.resolve("pom.xml")), "<kafka.version>", "</kafka.version>");
    // The broker is Apache's image of the same version, with local-kafka's share-group assignor.
    Object brokerStage = map(service("kafka").get("build")).get("target");
    assertThat(dockerfile).contains("FROM apache/kafka:" + kafkaVersion + " AS " + brokerStage);
    assertThat(between(dockerfile, "AS " + brokerStage, "FROM "))
        .contains("COPY --from=build /src/local-kafka/target/local-kafka-*-share-assignor.jar")
        .contains(" /opt/kafka/libs/");
    assertThat(ROOT.resolve("local-kafka/pom.xml"))
        .content()
        .contains("<classifier>share-assignor</classifier>");
    // The services create their topics (partitions, compaction); the broker must not guess them.
    assertThat(environment("kafka")).containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    // The ready file the Dockerfile names is the one the services write and the healthchecks read.
    assertThat(dockerfile).contains("ENV PIPELINE_READY_FILE=/tmp/ready");
    for (String name : SERVICES) {
      assertThat(String.valueOf(map(service(name).get("healthcheck")).get("test")))
          .contains("/tmp/ready");
      assertThat(map(map(service(name).get("depends_on")).get("kafka")))
          .containsEntry("condition", "service_healthy");
    }
    assertThat(map(map(service("consumer-service").get("depends_on")).get("postgres")))
        .containsEntry("condition", "service_healthy");
    assertThat(service("kafka")).containsKey("healthcheck");
    assertThat(service("postgres")).containsKey("healthcheck");
  }

  private static String defaultPort(String source) throws IOException {
    return between(Files.readString(ROOT.resolve(source)), "PIPELINE_HTTP_PORT:-", "}");
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start) + start.length();
    return text.substring(from, text.indexOf(end, from));
  }

  @Test
  void theComposeBrokerHasLocalKafkasGroupSettings() {
    Map<String, String> settings = new java.util.HashMap<>(BrokerSettings.GROUP_HEARTBEATS);
    settings.putAll(BrokerSettings.SHARE_ASSIGNOR);
    settings.forEach(
        (name, value) -> {
          String variable = "KAFKA_" + name.toUpperCase(Locale.ROOT).replace('.', '_');
          assertThat(environment("kafka")).containsEntry(variable, value);
        });
  }

  @Test
  void workersCanScale() {
    for (String name : WORKERS) {
      Map<String, Object> worker = service(name);
      assertThat(worker).as(name).doesNotContainKey("container_name");
      for (Object port : (List<?>) worker.getOrDefault("ports", List.of())) {
        assertThat(String.valueOf(port))
            .as("%s publishes no fixed host port", name)
            .doesNotContain(":");
      }
    }
  }
}

package dev.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.core.config.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows processes, groups, lag and throughput.",
      "Each service's processes (pid, uptime, RSS), and each consumer and share group: members,",
      "records done, lag, and records per second over the last interval."
    })
final class StatusCommand implements Callable<Integer> {
  @Option(names = "--watch", description = "Refresh every interval until Ctrl-C.")
  boolean watch;

  @Option(names = "--json", description = "Print JSON (one object per refresh with --watch).")
  boolean json;

  @Option(
      names = "--interval",
      defaultValue = "2",
      description = "Seconds between samples (default ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description =
          "Watch this cluster (for example the docker compose one) instead of the local pipeline's.")
  String bootstrap;

  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (intervalSeconds < 0.1 || intervalSeconds > 3600) {
      throw new CliException("--interval must be between 0.1 and 3600 seconds: " + intervalSeconds);
    }
    Layout layout = Layout.detect();
    LocalPipeline pipeline = new LocalPipeline(layout, System.err);
    Optional<State> state = pipeline.running();
    if (state.isEmpty() && bootstrap == null) {
      throw new CliException(
          "the pipeline is not up; start it with 'bin/pipeline up', or name a cluster with --bootstrap",
          3);
    }
    String cluster = bootstrap != null ? bootstrap : state.get().bootstrap();
    KafkaSettings kafka = KafkaSettings.resolve(cluster, Map.of(), System.getenv());
    Duration interval = Duration.ofMillis((long) (intervalSeconds * 1000));
    try (Admin admin =
        Admin.create(
            kafka.clientConfig(
                Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    5000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    10000)))) {
      GroupStats stats = new GroupStats(admin);
      List<GroupSample> previous = stats.sample();
      do {
        Thread.sleep(interval.toMillis());
        List<GroupSample> current = stats.sample();
        Optional<State> now =
            bootstrap != null ? pipeline.running() : Optional.of(pipeline.requireRunning());
        print(cluster, now, previous, current, ServiceJvmCache.assembling(layout.sharedArchives()));
        previous = current;
      } while (watch);
    }
    return 0;
  }

  private void print(
      String cluster,
      Optional<State> state,
      List<GroupSample> previous,
      List<GroupSample> current,
      List<String> assembling)
      throws Exception {
    Map<String, GroupSample> before = new HashMap<>();
    previous.forEach(g -> before.put(g.group(), g));
    List<ManagedProcess> processes = new ArrayList<>();
    state.ifPresent(
        s -> {
          if (s.broker() != null) {
            processes.add(s.broker());
          }
          processes.addAll(s.services());
        });
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("at", Instant.now().toString());
      out.put("bootstrap", cluster);
      List<Map<String, Object>> procs = new ArrayList<>();
      for (ManagedProcess p : processes) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("service", p.service());
        row.put("index", p.index());
        row.put("pid", p.pid());
        row.put("alive", p.alive());
        row.put("uptimeSeconds", p.uptime().toSeconds());
        row.put("rssBytes", ProcessInfo.rssBytes(p.pid()));
        row.put("httpPort", p.httpPort());
        row.put("log", p.logFile());
        procs.add(row);
      }
      out.put("processes", procs);
      out.put("assemblingCaches", assembling);
      List<Map<String, Object>> groups = new ArrayList<>();
      for (GroupSample g : current) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("group", g.group());
        row.put("type", g.type());
        row.put("state", g.state());
        row.put("members", g.members());
        row.put("done", g.position());
        row.put("lag", g.lag());
        row.put(
            "recordsPerSecond",
            before.containsKey(g.group()) ? Math.round(g.ratePerSecond(before.get(g.group()))) : 0);
        groups.add(row);
      }
      out.put("groups", groups);
      System.out.println(mapper.writeValueAsString(out));
      System.out.flush();
      return;
    }
    StringBuilder text = new StringBuilder();
    if (watch && System.console() != null) {
      text.append("\033[H\033[2J");
    }
    text.append("Kafka ")
        .append(cluster)
        .append("   ")
        .append(Instant.now().toString(), 0, 19)
        .append("Z\n\n");
    Table table = new Table("SERVICE", "#", "PID", "STATE", "UPTIME", "RSS", "HTTP");
    for (ManagedProcess p : processes) {
      boolean alive = p.alive();
      table.row(
          p.service(),
          p.service().equals("local-kafka") ? "-" : p.index(),
          p.pid(),
          alive ? "running" : "exited",
          alive ? Table.duration(p.uptime()) : "-",
          alive ? Table.mib(ProcessInfo.rssBytes(p.pid())) : "-",
          p.httpPort() > 0 ? "127.0.0.1:" + p.httpPort() : "-");
    }
    text.append(table.isEmpty() ? "(no local processes)\n" : table.toString()).append('\n');
    if (!assembling.isEmpty()) {
      text.append("Making start-up caches in the background (a core for some seconds): ")
          .append(String.join(", ", assembling))
          .append("\n\n");
    }
    Table groups = new Table("GROUP", "TYPE", "STATE", "MEMBERS", "DONE", "LAG", "RECORDS/S");
    for (GroupSample g : current) {
      GroupSample earlier = before.get(g.group());
      groups.row(
          g.group(),
          g.type(),
          g.state(),
          g.members(),
          g.position(),
          g.lag(),
          earlier == null ? "-" : Table.rate(g.ratePerSecond(earlier)));
    }
    text.append(groups.isEmpty() ? "(no consumer or share groups yet)\n" : groups.toString());
    System.out.print(text);
    System.out.flush();
  }
}

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
      "Each service's processes (pid, uptime, RSS), and each consumer and share group: members, records done, lag, and records per second over the last interval. Then each member of a group at work: the partitions it is assigned, and their done, lag and records per second. A group shares out partitions, not records, so a member holding most of the lag shows there. (A share group with more members than partitions gives a partition to several: 'shared'.)"
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
    ResidentCli.running(Layout.detect()).ifPresent(processes::add);
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
        row.put("members", g.members().size());
        row.put("done", g.position());
        row.put("lag", g.lag());
        GroupSample earlier = before.get(g.group());
        row.put("recordsPerSecond", earlier == null ? 0 : Math.round(g.ratePerSecond(earlier)));
        List<Map<String, Object>> assignments = new ArrayList<>();
        for (GroupSample.Member m : g.members()) {
          Map<String, Object> member = new LinkedHashMap<>();
          member.put("clientId", m.clientId());
          member.put("host", m.host());
          Optional<ManagedProcess> process = processOf(m, processes);
          member.put("service", process.map(ManagedProcess::service).orElse(null));
          member.put("index", process.map(ManagedProcess::index).orElse(null));
          member.put("pid", m.pid().isPresent() ? m.pid().getAsLong() : null);
          member.put("partitions", m.assigned().stream().map(Object::toString).toList());
          // A share group may give one partition to several members (more members than
          // partitions): each of them then shows that partition's progress.
          member.put("sharesPartitions", g.sharesPartitions(m));
          GroupSample.Progress progress = g.progressOf(m.assigned());
          member.put("done", progress.done());
          member.put("lag", progress.lag());
          member.put(
              "recordsPerSecond",
              earlier == null ? 0 : Math.round(g.ratePerSecond(earlier, m.assigned())));
          assignments.add(member);
        }
        row.put("assignments", assignments);
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
          p.service().equals("local-kafka") || p.service().equals(ResidentCli.SERVICE)
              ? "-"
              : p.index(),
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
          g.members().size(),
          g.position(),
          g.lag(),
          earlier == null ? "-" : Table.rate(g.ratePerSecond(earlier)));
    }
    text.append(groups.isEmpty() ? "(no consumer or share groups yet)\n" : groups.toString());
    // Who holds which partitions: a group shares out partitions, not records, so one member can
    // sit on most of the lag while another idles (keys that hash into a few partitions do that).
    // Groups that have done nothing and have nothing waiting are left out: their split says
    // nothing yet.
    Table members = new Table("MEMBER", "GROUP", "PARTITIONS", "DONE", "LAG", "RECORDS/S");
    for (GroupSample g : current) {
      if (g.position() == 0 && g.lag() == 0) {
        continue;
      }
      GroupSample earlier = before.get(g.group());
      Map<GroupSample.Member, String> labels = new HashMap<>();
      g.members().forEach(m -> labels.put(m, label(m, g, processes)));
      for (GroupSample.Member m :
          g.members().stream().sorted(java.util.Comparator.comparing(labels::get)).toList()) {
        GroupSample.Progress progress = g.progressOf(m.assigned());
        members.row(
            labels.get(m),
            g.group(),
            m.assigned().isEmpty()
                ? "none"
                : m.assigned().size()
                    + ": "
                    + GroupSample.describe(m.assigned())
                    + (g.sharesPartitions(m) ? " (shared)" : ""),
            progress.done(),
            progress.lag(),
            earlier == null ? "-" : Table.rate(g.ratePerSecond(earlier, m.assigned())));
      }
    }
    if (!members.isEmpty()) {
      text.append('\n').append(members);
    }
    System.out.print(text);
    System.out.flush();
  }

  private static Optional<ManagedProcess> processOf(
      GroupSample.Member member, List<ManagedProcess> processes) {
    if (member.pid().isEmpty()) {
      return Optional.empty();
    }
    long pid = member.pid().getAsLong();
    return processes.stream().filter(p -> p.pid() == pid).findFirst();
  }

  /**
   * Names a member by its process ({@code consumer-service #2}), and by its consumer where that
   * process runs several in the group; a member of another machine or program by its client id.
   */
  private static String label(
      GroupSample.Member member, GroupSample group, List<ManagedProcess> processes) {
    Optional<ManagedProcess> process = processOf(member, processes);
    if (process.isEmpty()) {
      return member.clientId();
    }
    String name = process.get().service() + " #" + process.get().index();
    long fellows = group.members().stream().filter(m -> m.pid().equals(member.pid())).count();
    return fellows > 1 ? name + " consumer " + member.consumerIndex() : name;
  }
}

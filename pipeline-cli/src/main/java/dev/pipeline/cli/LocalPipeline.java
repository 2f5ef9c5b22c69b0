package dev.pipeline.cli;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.runtime.ServiceRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The pipeline's processes on this machine: what {@code up}, {@code scale} and {@code down} do,
 * with the state they share in {@code .pipeline/state.json}.
 */
final class LocalPipeline {
  private final Layout layout;
  private final Supervisor supervisor;
  private final PrintStream out;

  LocalPipeline(Layout layout, PrintStream out) {
    this.layout = layout;
    this.supervisor = new Supervisor(layout);
    this.out = out;
  }

  Layout layout() {
    return layout;
  }

  /** Returns the state of a running pipeline; a state whose processes have all died is cleared. */
  Optional<State> running() {
    Optional<State> state = State.load(layout.stateFile());
    if (state.isEmpty()) {
      return state;
    }
    State s = state.get();
    boolean anyAlive =
        (s.broker() != null && s.broker().alive())
            || s.services().stream().anyMatch(ManagedProcess::alive);
    if (!anyAlive) {
      deleteState();
      return Optional.empty();
    }
    return state;
  }

  State requireRunning() {
    return running()
        .orElseThrow(
            () -> new CliException("the pipeline is not up; start it with: bin/pipeline up", 3));
  }

  private Map<String, String> serviceEnv = Map.of();

  /** Sets environment variables every service this pipeline starts from now on gets. */
  LocalPipeline serviceEnv(Map<String, String> env) {
    this.serviceEnv = Map.copyOf(env);
    return this;
  }

  /**
   * Starts the broker (unless {@code bootstrap} is given) and {@code counts} instances of each
   * service.
   */
  State up(Map<ServiceName, Integer> counts, Optional<String> bootstrap, int port, int partitions) {
    State state;
    if (bootstrap.isPresent()) {
      KafkaSettings kafka = KafkaSettings.resolve(bootstrap.get(), Map.of(), System.getenv());
      if (!Supervisor.reachable(kafka, ClusterOption.ANSWER_WITHIN)) {
        throw ClusterOption.unreachable(bootstrap.get());
      }
      state = new State(bootstrap.get(), null, 0, List.of());
    } else {
      out.println("Starting local-kafka on 127.0.0.1:" + port + " ...");
      ManagedProcess broker = supervisor.startBroker(port);
      state = new State("127.0.0.1:" + port, broker, port, List.of());
    }
    state.save(layout.stateFile());
    try {
      ServiceRunner.prepareTopics(
          KafkaSettings.resolve(state.bootstrap(), Map.of(), System.getenv()), partitions);
      return startServices(
          state, counts, Map.of("PIPELINE_PARTITIONS", String.valueOf(partitions)));
    } catch (RuntimeException e) {
      out.println("Start-up failed; stopping what was started.");
      down(Duration.ofSeconds(10));
      throw e;
    }
  }

  /** Starts or gracefully stops instances so each named service has its target count. */
  State scale(State state, Map<ServiceName, Integer> targets) {
    State current = pruneDead(state);
    List<ManagedProcess> toStop = new ArrayList<>();
    Map<ServiceName, Integer> toStart = new EnumMap<>(ServiceName.class);
    for (Map.Entry<ServiceName, Integer> target : targets.entrySet()) {
      List<ManagedProcess> instances = current.instancesOf(target.getKey());
      int want = target.getValue();
      if (want < instances.size()) {
        toStop.addAll(instances.subList(want, instances.size()));
      } else if (want > instances.size()) {
        toStart.put(target.getKey(), want);
      }
      out.println(target.getKey().id() + ": " + instances.size() + " -> " + want);
    }
    if (!toStop.isEmpty()) {
      List<String> killed = supervisor.stop(toStop, Supervisor.STOP_TIMEOUT);
      toStop.forEach(
          p ->
              out.println(
                  "  stopped "
                      + Supervisor.name(p)
                      + " (pid "
                      + p.pid()
                      + ")"
                      + (killed.contains(p.pid() + "")
                          ? " with SIGKILL after " + Supervisor.STOP_TIMEOUT.toSeconds() + " s"
                          : "")));
      current = current.minus(toStop);
      current.save(layout.stateFile());
    }
    return toStart.isEmpty() ? current : startServices(current, toStart, Map.of());
  }

  private State startServices(
      State state, Map<ServiceName, Integer> targets, Map<String, String> env) {
    List<ManagedProcess> started = new ArrayList<>();
    Set<Integer> httpPorts = new HashSet<>();
    state.services().forEach(p -> httpPorts.add(p.httpPort()));
    State current = state;
    try {
      for (Map.Entry<ServiceName, Integer> target : targets.entrySet()) {
        ServiceName service = target.getKey();
        Set<Integer> used =
            new HashSet<>(
                current.instancesOf(service).stream().map(ManagedProcess::index).toList());
        int missing = target.getValue() - used.size();
        List<Integer> indices =
            IntStream.iterate(1, i -> i + 1)
                .filter(i -> !used.contains(i))
                .limit(Math.max(0, missing))
                .boxed()
                .toList();
        for (int index : indices) {
          Map<String, String> environment = new java.util.HashMap<>(env);
          environment.putAll(serviceEnv);
          if (service.firstHttpPort() > 0) {
            environment.put(
                "PIPELINE_HTTP_PORT",
                String.valueOf(freeHttpPort(service.firstHttpPort(), httpPorts)));
          }
          if (service == ServiceName.HASHER
              && !System.getenv().containsKey("PIPELINE_HASHER_ROOTS")
              && !environment.containsKey("PIPELINE_HASHER_ROOTS")) {
            // Locally, `pipeline hash` should work on the user's files out of the box.
            environment.put("PIPELINE_HASHER_ROOTS", System.getProperty("user.home"));
          }
          if (service == ServiceName.CONSUMER && !System.getenv().containsKey("PIPELINE_DB_URL")) {
            environment.put(
                "PIPELINE_DB_URL", "jdbc:sqlite:" + layout.home().resolve("data/pipeline.db"));
          }
          if (service == ServiceName.CRAWLER
              && !System.getenv().containsKey("PIPELINE_CRAWLER_SCREENSHOT_DIR")) {
            environment.put(
                "PIPELINE_CRAWLER_SCREENSHOT_DIR",
                layout.home().resolve("data/screenshots").toString());
          }
          started.add(supervisor.startService(service, index, current.bootstrap(), environment));
        }
      }
      current = current.plus(started);
      current.save(layout.stateFile());
      for (ManagedProcess process : started) {
        supervisor.awaitReady(process);
        out.println("  started " + Supervisor.name(process) + " (pid " + process.pid() + ")");
      }
      return current;
    } catch (RuntimeException e) {
      supervisor.stop(started, Duration.ofSeconds(10));
      current.minus(started).save(layout.stateFile());
      throw e;
    }
  }

  /** Returns the first free port from {@code first} on that no other instance was given. */
  private static int freeHttpPort(int first, Set<Integer> taken) {
    for (int port = first; port < first + 200; port++) {
      if (!taken.contains(port) && Supervisor.portFree(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new CliException("no free HTTP port between " + first + " and " + (first + 199));
  }

  private State pruneDead(State state) {
    List<ManagedProcess> dead = state.services().stream().filter(p -> !p.alive()).toList();
    if (dead.isEmpty()) {
      return state;
    }
    dead.forEach(
        p ->
            out.println(
                "  "
                    + Supervisor.name(p)
                    + " (pid "
                    + p.pid()
                    + ") is no longer running; see "
                    + p.logFile()));
    State pruned = state.minus(dead);
    pruned.save(layout.stateFile());
    return pruned;
  }

  /** Stops every service, then the broker; returns what had to be killed after the timeout. */
  List<String> down(Duration timeout) {
    Optional<State> state = State.load(layout.stateFile());
    if (state.isEmpty()) {
      return List.of();
    }
    List<String> killed = new ArrayList<>(supervisor.stop(state.get().services(), timeout));
    if (state.get().broker() != null) {
      killed.addAll(supervisor.stop(List.of(state.get().broker()), timeout.plusSeconds(30)));
    }
    deleteState();
    return killed;
  }

  private void deleteState() {
    try {
      Files.deleteIfExists(layout.stateFile());
    } catch (IOException e) {
      throw new CliException("cannot delete " + layout.stateFile() + ": " + e.getMessage());
    }
  }
}

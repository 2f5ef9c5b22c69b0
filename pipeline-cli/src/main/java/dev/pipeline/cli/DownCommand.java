package dev.pipeline.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = {
      "Stops every process gracefully, then the broker.",
      "SIGTERM first; anything still running after --timeout gets SIGKILL. Leaves no process behind; the broker's data stays in .pipeline/kafka for the next 'up'."
    })
final class DownCommand implements Callable<Integer> {
  @Option(
      names = "--timeout",
      defaultValue = "30",
      description = "Seconds to wait before SIGKILL (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    if (timeoutSeconds < 0) {
      throw new CliException("--timeout must be 0 or more: " + timeoutSeconds);
    }
    LocalPipeline pipeline = new LocalPipeline(Layout.detect(), System.out);
    Optional<State> state = State.load(pipeline.layout().stateFile());
    if (state.isEmpty()) {
      System.out.println("The pipeline is not running.");
      return 0;
    }
    long start = System.nanoTime();
    int count = state.get().services().size() + (state.get().broker() == null ? 0 : 1);
    ResidentCli.stop(pipeline.layout(), Duration.ofSeconds(5));
    List<String> killed = pipeline.down(Duration.ofSeconds(timeoutSeconds));
    awaitPortFree(state.get().brokerPort());
    System.out.printf(
        java.util.Locale.ROOT,
        "The pipeline is down: stopped %d process(es) in %.1f s%s.%n",
        count,
        (System.nanoTime() - start) / 1e9,
        killed.isEmpty() ? "" : " (SIGKILL for pid " + String.join(", ", killed) + ")");
    return 0;
  }

  private static void awaitPortFree(int port) {
    if (port == 0) {
      return;
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Supervisor.portFree(port) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (!Supervisor.portFree(port)) {
      throw new CliException(
          "port " + port + " is still in use after the broker stopped; another process holds it",
          1);
    }
  }
}

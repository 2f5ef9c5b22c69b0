package dev.pipeline.cli;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "scale",
    mixinStandardHelpOptions = true,
    description = {
      "Starts or stops processes until each named service has N of them.",
      "Stopping is graceful (SIGTERM): a worker finishes its in-flight work and commits first.",
      "Example: bin/pipeline scale hasher-worker=2 crawler-service=0"
    })
final class ScaleCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "SERVICE=N",
      description =
          "Target count per service: producer-service, consumer-service, crawler-service, hasher-worker.")
  List<String> targets;

  @Override
  public Integer call() {
    Map<ServiceName, Integer> parsed = parse(targets);
    LocalPipeline pipeline = new LocalPipeline(Layout.detect(), System.out);
    State state = pipeline.requireRunning();
    State scaled = pipeline.scale(state, parsed);
    for (ServiceName service : parsed.keySet()) {
      System.out.println(
          service.id() + " now has " + scaled.instancesOf(service).size() + " process(es)");
    }
    return 0;
  }

  static Map<ServiceName, Integer> parse(List<String> targets) {
    Map<ServiceName, Integer> parsed = new EnumMap<>(ServiceName.class);
    for (String target : targets) {
      int eq = target.indexOf('=');
      if (eq <= 0) {
        throw new CliException(
            "expected SERVICE=N (for example hasher-worker=2), got '" + target + "'");
      }
      ServiceName service = ServiceName.parse(target.substring(0, eq));
      int count;
      try {
        count = Integer.parseInt(target.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new CliException("N must be a whole number in '" + target + "'");
      }
      if (count < 0) {
        throw new CliException("N must be 0 or more in '" + target + "'");
      }
      if (count > 64) {
        throw new CliException(
            "N is at most 64 processes per service on one machine, got " + count);
      }
      parsed.put(service, count);
    }
    return parsed;
  }
}

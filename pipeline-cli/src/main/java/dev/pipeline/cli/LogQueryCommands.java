package dev.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline logs stats} and {@code pipeline logs search}: the store's log queries. */
final class LogQueryCommands {
  private LogQueryCommands() {}

  /** Where the query goes and how its answer is printed; both commands take these. */
  static final class Store {
    @Option(names = "--json", description = "Print consumer-service's JSON answer.")
    boolean json;

    @Option(
        names = "--url",
        description =
            "consumer-service's base URL (env PIPELINE_CONSUMER_URL; default: the local one).")
    String url;

    QueryClient client() {
      return QueryClient.locate(url);
    }
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description =
          "Counts stored log events per level and service over a window, with events/s and the total stored.")
  static final class Stats implements Callable<Integer> {
    @Option(
        names = "--since",
        defaultValue = "10m",
        description = "Window: 30s, 10m, 2h, 7d (default ${DEFAULT-VALUE}).")
    String since;

    @Mixin Store store;

    @Override
    public Integer call() {
      JsonNode stats = store.client().get("/v1/logs/stats", Map.of("since", since));
      if (store.json) {
        System.out.println(stats);
        return 0;
      }
      System.out.printf(
          Locale.ROOT,
          "%,d events in the last %s (%,.1f/s); %,d stored in all%n%n",
          stats.get("events").asLong(),
          since,
          stats.get("eventsPerSecond").asDouble(),
          stats.get("totalStored").asLong());
      Table levels = new Table("LEVEL", "EVENTS");
      fields(stats.get("byLevel")).forEach((level, count) -> levels.row(level, count));
      Table services = new Table("SERVICE", "EVENTS");
      fields(stats.get("byService")).forEach((service, count) -> services.row(service, count));
      System.out.print(levels);
      System.out.println();
      System.out.print(services.isEmpty() ? "(no events in the window)\n" : services.toString());
      return 0;
    }

    private static Map<String, Long> fields(JsonNode node) {
      Map<String, Long> values = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        values.put(field.getKey(), field.getValue().asLong());
      }
      return values;
    }
  }

  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      description = "Finds stored log events, newest first.")
  static final class Search implements Callable<Integer> {
    @Option(names = "--level", description = "TRACE, DEBUG, INFO, WARN or ERROR.")
    String level;

    @Option(names = "--service", description = "Only this service.")
    String service;

    @Option(
        names = "--grep",
        paramLabel = "TEXT",
        description = "Text the message contains (any case).")
    String grep;

    @Option(names = "--since", description = "Only events newer than this: 30s, 10m, 2h, 7d.")
    String since;

    @Option(
        names = "--limit",
        defaultValue = "20",
        description = "At most this many, 1-10000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin Store store;

    @Override
    public Integer call() {
      Map<String, Object> parameters = new HashMap<>();
      parameters.put("level", level);
      parameters.put("service", service);
      parameters.put("grep", grep);
      parameters.put("since", since);
      parameters.put("limit", limit);
      JsonNode found = store.client().get("/v1/logs/search", parameters);
      if (store.json) {
        System.out.println(found);
        return 0;
      }
      for (JsonNode event : found.get("events")) {
        System.out.printf(
            Locale.ROOT,
            "%s %-5s %s@%s %s%n",
            event.get("timestamp").asText(),
            event.get("level").asText(),
            event.get("service").asText(),
            event.get("host").asText(),
            event.get("message").asText());
      }
      if (found.get("events").isEmpty()) {
        System.err.println("(no matching events)");
      }
      return 0;
    }
  }
}

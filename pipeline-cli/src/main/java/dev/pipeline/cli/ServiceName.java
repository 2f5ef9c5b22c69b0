package dev.pipeline.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The services the supervisor runs, by the name a user types. */
enum ServiceName {
  PRODUCER("producer-service", 8080),
  CONSUMER("consumer-service", 8081),
  CRAWLER("crawler-service", 0),
  HASHER("hasher-worker", 0);

  private final String id;
  private final int firstHttpPort;

  ServiceName(String id, int firstHttpPort) {
    this.id = id;
    this.firstHttpPort = firstHttpPort;
  }

  /** Returns where the supervisor starts looking for a free HTTP port; 0 for no HTTP API. */
  int firstHttpPort() {
    return firstHttpPort;
  }

  /** Returns the name used on the command line, in logs and as the module and jar name. */
  String id() {
    return id;
  }

  static ServiceName parse(String name) {
    return Arrays.stream(values())
        .filter(s -> s.id.equals(name))
        .findFirst()
        .orElseThrow(
            () -> new CliException("unknown service '" + name + "'; expected one of: " + names()));
  }

  static String names() {
    return Arrays.stream(values()).map(ServiceName::id).collect(Collectors.joining(", "));
  }
}

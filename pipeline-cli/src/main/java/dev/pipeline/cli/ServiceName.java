package dev.pipeline.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The services the supervisor runs, by the name a user types. */
enum ServiceName {
  PRODUCER("producer-service"),
  CONSUMER("consumer-service"),
  CRAWLER("crawler-service"),
  HASHER("hasher-worker");

  private final String id;

  ServiceName(String id) {
    this.id = id;
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

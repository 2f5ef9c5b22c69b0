package dev.pipeline.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    subcommands = {LogQueryCommands.Stats.class, LogQueryCommands.Search.class},
    description = {
      "Prints a service's logs (-f follows them), or queries stored log events.",
      "  bin/pipeline logs hasher-worker -f     every instance's log, until Ctrl-C",
      "  bin/pipeline logs stats --since 10m    stored events per level and service",
      "  bin/pipeline logs search --level WARN --grep timeout"
    })
final class LogsCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "SERVICE",
      description =
          "producer-service, consumer-service, crawler-service, hasher-worker or local-kafka.")
  String service;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines.")
  boolean follow;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "40",
      description = "Lines to print from the end of each log (default ${DEFAULT-VALUE}).")
  int lines;

  @Option(names = "--index", description = "Only this instance (1, 2, ...).")
  Integer index;

  @Override
  public Integer call() throws Exception {
    if (lines < 0) {
      throw new CliException("--lines must be 0 or more: " + lines);
    }
    if (service == null) {
      throw new CliException(
          "name a service (for example: logs hasher-worker -f), or use 'logs stats' or 'logs search'");
    }
    Layout layout = Layout.detect();
    String prefix =
        service.equals("local-kafka") ? "local-kafka" : ServiceName.parse(service).id() + "-";
    List<Path> logs = new ArrayList<>();
    if (Files.isDirectory(layout.logs())) {
      try (Stream<Path> files = Files.list(layout.logs())) {
        files
            .filter(
                p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".log"))
            .filter(
                p -> index == null || p.getFileName().toString().equals(prefix + index + ".log"))
            .sorted()
            .forEach(logs::add);
      }
    }
    if (logs.isEmpty()) {
      throw new CliException(
          "no logs for "
              + service
              + (index == null ? "" : " #" + index)
              + " in "
              + layout.logs()
              + " yet",
          1);
    }
    boolean label = logs.size() > 1;
    long[] positions = new long[logs.size()];
    for (int i = 0; i < logs.size(); i++) {
      List<String> all = Files.readAllLines(logs.get(i), StandardCharsets.UTF_8);
      String tag = label ? "[" + name(logs.get(i)) + "] " : "";
      all.subList(Math.max(0, all.size() - lines), all.size())
          .forEach(line -> System.out.println(tag + line));
      positions[i] = Files.size(logs.get(i));
    }
    while (follow) {
      for (int i = 0; i < logs.size(); i++) {
        positions[i] =
            printNew(logs.get(i), positions[i], label ? "[" + name(logs.get(i)) + "] " : "");
      }
      System.out.flush();
      Thread.sleep(200);
    }
    return 0;
  }

  private static String name(Path log) {
    String file = log.getFileName().toString();
    return file.substring(0, file.length() - ".log".length());
  }

  /** Prints what was appended since {@code position}; starts over if the file was truncated. */
  private static long printNew(Path log, long position, String tag) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      long from = length < position ? 0 : position;
      if (length == from) {
        return from;
      }
      byte[] bytes = new byte[(int) Math.min(length - from, 1 << 20)];
      file.seek(from);
      file.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      int lastNewline = text.lastIndexOf('\n');
      if (lastNewline < 0) {
        return from;
      }
      text.substring(0, lastNewline).lines().forEach(line -> System.out.println(tag + line));
      return from + text.substring(0, lastNewline + 1).getBytes(StandardCharsets.UTF_8).length;
    }
  }
}

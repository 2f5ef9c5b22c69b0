package dev.pipeline.cli;

import dev.pipeline.core.config.DurationText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pipeline} command. {@code bin/pipeline} finds a JDK, builds the jars when needed and
 * runs this.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    version = "pipeline 0.1.0",
    description = {
      "Runs the Kafka job pipeline on this machine: a local broker and the services, each its own OS process.",
      "",
      "  bin/pipeline demo                   the whole tour, about two minutes",
      "  bin/pipeline up                     broker + one process of each service",
      "  bin/pipeline status --watch         processes, groups, throughput",
      "  bin/pipeline scale hasher-worker=2  add or remove worker processes",
      "  bin/pipeline logs hasher-worker -f  follow a service's log",
      "  bin/pipeline hash DIR --wait        sha256sum through the hasher workers",
      "  bin/pipeline crawl URL --wait       crawl a site through the crawler processes",
      "  bin/pipeline down                   stop everything gracefully",
      "",
      "State, logs and broker data live in .pipeline/ (or PIPELINE_HOME)."
    })
public final class PipelineCli implements Runnable {
  private static final List<Class<?>> COMMANDS =
      List.of(
          UpCommand.class,
          ScaleCommand.class,
          StatusCommand.class,
          LogsCommand.class,
          DownCommand.class,
          PublishCommand.class,
          HashCommand.class,
          CrawlCommand.class,
          SiteCommand.class,
          DemoCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Returns the command line for {@code args}, with the one-line error handling every subcommand
   * shares. Picocli reflects over every option of every command it is given, a quarter of a second
   * for all of them, so a run of one command gets only that one; help, or anything that names no
   * command, gets them all.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new PipelineCli());
    List<Class<?>> named =
        args.length == 0
            ? List.of()
            : COMMANDS.stream().filter(command -> isNamed(command, args[0])).toList();
    for (Class<?> command :
        named.isEmpty() || named.contains(CommandLine.HelpCommand.class) ? COMMANDS : named) {
      cli.addSubcommand(command);
    }
    // After the subcommands: a converter reaches only the commands already added.
    cli.registerConverter(Duration.class, new DurationText());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof CliException cliError) {
            err.println("pipeline: " + cliError.getMessage());
            return cliError.exitCode();
          }
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            err.println("pipeline: " + e.getMessage());
            return 2;
          }
          err.println("pipeline: unexpected error: " + e);
          if (System.getenv("PIPELINE_DEBUG") != null) {
            e.printStackTrace(err);
          } else {
            err.println("pipeline: set PIPELINE_DEBUG=1 for the stack trace");
          }
          return 1;
        });
    cli.setParameterExceptionHandler(
        (e, given) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("pipeline: " + e.getMessage());
          err.println(
              "pipeline: see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
          return 2;
        });
    return cli;
  }

  private static boolean isNamed(Class<?> command, String name) {
    Command annotation = command.getAnnotation(Command.class);
    return annotation.name().equals(name) || List.of(annotation.aliases()).contains(name);
  }

  public static void main(String[] args) {
    AotRecording.markAtExit();
    int exit = commandLine(args).execute(args);
    AotRecording.exit(exit);
    System.exit(exit);
  }
}

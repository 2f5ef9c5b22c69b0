package dev.pipeline.cli;

import java.io.PrintWriter;
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
      "  bin/pipeline demo                   the whole tour in about a minute and a half",
      "  bin/pipeline up                     broker + one process of each service",
      "  bin/pipeline status --watch         processes, groups, throughput",
      "  bin/pipeline scale hasher-worker=2  add or remove worker processes",
      "  bin/pipeline logs hasher-worker -f  follow a service's log",
      "  bin/pipeline hash DIR --wait        sha256sum through the hasher workers",
      "  bin/pipeline crawl URL --wait       crawl a site through the crawler processes",
      "  bin/pipeline down                   stop everything gracefully",
      "",
      "State, logs and broker data live in .pipeline/ (or PIPELINE_HOME)."
    },
    subcommands = {
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
      CommandLine.HelpCommand.class
    })
public final class PipelineCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Returns the command line with the one-line error handling every subcommand shares. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PipelineCli());
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
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("pipeline: " + e.getMessage());
          err.println(
              "pipeline: see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
          return 2;
        });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

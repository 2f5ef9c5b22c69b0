package dev.pipeline.core.runtime;

import dev.pipeline.core.config.DurationText;
import java.time.Duration;
import picocli.CommandLine;

/** What every service's {@code main} does: parse the command line, run, exit with its code. */
public final class ServiceMain {
  private ServiceMain() {}

  /**
   * Runs a picocli command and exits. A bad flag or variable (a misspelt option, a value that does
   * not convert) and a bad setting (an {@link IllegalArgumentException} or {@link
   * IllegalStateException}, such as a taken port or an unsupported database URL) end the process
   * with one line on stderr, {@code SERVICE: reason}, and exit code 2, rather than a usage page or
   * a stack trace: the line a supervisor shows for a process that died while starting.
   */
  public static void run(String service, Object command, String[] args) {
    CommandLine cli =
        new CommandLine(command).registerConverter(Duration.class, new DurationText());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            commandLine.getErr().println(service + ": " + e.getMessage());
            return 2;
          }
          throw e;
        });
    cli.setParameterExceptionHandler(
        (e, given) -> {
          e.getCommandLine().getErr().println(service + ": " + e.getMessage());
          return 2;
        });
    System.exit(cli.execute(args));
  }
}

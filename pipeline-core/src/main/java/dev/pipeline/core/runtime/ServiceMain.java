package dev.pipeline.core.runtime;

import picocli.CommandLine;

/** What every service's {@code main} does: parse the command line, run, exit with its code. */
public final class ServiceMain {
  private ServiceMain() {}

  /**
   * Runs a picocli command and exits. A bad setting (an {@link IllegalArgumentException} or {@link
   * IllegalStateException}, such as a taken port or an unsupported database URL) ends the process
   * with one line on stderr and exit code 2 rather than a stack trace.
   */
  public static void run(String service, Object command, String[] args) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            commandLine.getErr().println(service + ": " + e.getMessage());
            return 2;
          }
          throw e;
        });
    System.exit(cli.execute(args));
  }
}

package dev.pipeline.cli;

/**
 * A user-facing failure: printed as one line ({@code pipeline: MESSAGE}) with a non-zero exit code.
 */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(String message) {
    this(message, 2);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}

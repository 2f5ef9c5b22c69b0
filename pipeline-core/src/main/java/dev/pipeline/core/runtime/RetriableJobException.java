package dev.pipeline.core.runtime;

/** A failure that may pass if the job is tried again later, such as a timeout or a 503. */
public class RetriableJobException extends Exception {
  public RetriableJobException(String message) {
    super(message);
  }

  public RetriableJobException(String message, Throwable cause) {
    super(message, cause);
  }
}

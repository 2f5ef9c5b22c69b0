package dev.pipeline.core.message;

/**
 * Thrown when bytes are not a valid message: not JSON, a missing or malformed field, a value out of
 * range, too large. Retrying never helps; the runtime dead-letters the record with {@link
 * #getMessage()} as the reason.
 */
public final class InvalidMessageException extends RuntimeException {
  public InvalidMessageException(String reason) {
    super(reason);
  }

  public InvalidMessageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}

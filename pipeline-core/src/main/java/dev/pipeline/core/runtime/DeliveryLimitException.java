package dev.pipeline.core.runtime;

/** A share-group record handed out as often as the group allows without ever being finished. */
final class DeliveryLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DeliveryLimitException(String message) {
    super(message);
  }
}

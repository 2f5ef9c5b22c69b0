package dev.pipeline.localkafka;

/** Thrown when a port the broker needs is already taken by another process. */
public final class PortInUseException extends RuntimeException {
  private final int port;

  public PortInUseException(String host, int port) {
    super(
        "port "
            + port
            + " on "
            + host
            + " is already in use (is another broker running? pick one with --port)");
    this.port = port;
  }

  public int port() {
    return port;
  }
}

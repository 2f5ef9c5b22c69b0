package dev.pipeline.core.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * A socket factory that checks every address at connect time, after DNS: redirects, DNS answers
 * that change (rebinding) and IP literals all pass through it. Give it to the HTTP client.
 */
public final class GuardedSocketFactory extends SocketFactory {
  private final AddressPolicy policy;

  public GuardedSocketFactory(AddressPolicy policy) {
    this.policy = policy;
  }

  /** A connect to an address the policy refuses. */
  public static final class RefusedAddressException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedAddressException(String message) {
      super(message);
    }
  }

  @Override
  public Socket createSocket() {
    return new GuardedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    Socket socket = new GuardedSocket();
    socket.bind(new InetSocketAddress(localHost, localPort));
    socket.connect(new InetSocketAddress(host, port));
    return socket;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    Socket socket = new GuardedSocket();
    socket.bind(new InetSocketAddress(localAddress, localPort));
    socket.connect(new InetSocketAddress(address, port));
    return socket;
  }

  private Socket connected(InetSocketAddress address) throws IOException {
    Socket socket = new GuardedSocket();
    socket.connect(address);
    return socket;
  }

  private final class GuardedSocket extends Socket {
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (endpoint instanceof InetSocketAddress inet) {
        InetAddress address = inet.getAddress();
        if (address == null) {
          throw new java.net.UnknownHostException(inet.getHostString());
        }
        String refusal = policy.refusal(address);
        if (refusal != null) {
          close();
          throw new RefusedAddressException(
              "refused to connect to " + inet.getHostString() + ": " + refusal);
        }
      }
      super.connect(endpoint, timeout);
    }
  }
}

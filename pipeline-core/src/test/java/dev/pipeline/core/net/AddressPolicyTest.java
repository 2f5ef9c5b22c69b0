package dev.pipeline.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.9.8.7",
        "::1",
        "0.0.0.0",
        "::",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "100.64.0.1",
        "fd00::1",
        "224.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "::7f00:1"
      })
  void refusesAddressesThatAreNotPublic(String address) throws Exception {
    assertThat(AddressPolicy.PUBLIC_ONLY.refusal(InetAddress.getByName(address)))
        .as(address)
        .isNotNull()
        .contains("unless private addresses are allowed");
    assertThat(AddressPolicy.ANY.refusal(InetAddress.getByName(address))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1"})
  void allowsPublicAddresses(String address) throws Exception {
    assertThat(AddressPolicy.PUBLIC_ONLY.refusal(InetAddress.getByName(address)))
        .as(address)
        .isNull();
  }

  @Test
  void guardedSocketsRefuseAtConnectTimeAndConnectWhenAllowed() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress local =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      try (Socket socket = new GuardedSocketFactory(AddressPolicy.PUBLIC_ONLY).createSocket()) {
        assertThatThrownBy(() -> socket.connect(local, 1000))
            .isInstanceOf(GuardedSocketFactory.RefusedAddressException.class)
            .hasMessageContaining("127.0.0.1 is a loopback address");
      }
      try (Socket socket = new GuardedSocketFactory(AddressPolicy.ANY).createSocket()) {
        socket.connect(local, 1000);
        assertThat(socket.isConnected()).isTrue();
      }
    }
  }
}

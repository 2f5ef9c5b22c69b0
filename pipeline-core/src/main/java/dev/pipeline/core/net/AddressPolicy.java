package dev.pipeline.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a fetch named by a job may reach. By default only public ones: loopback, private,
 * link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT, unique-local IPv6,
 * multicast and unspecified addresses are refused, so a job cannot make a worker reach into the
 * network it runs in.
 */
public record AddressPolicy(boolean allowPrivate, Set<InetAddress> trusted) {
  public static final AddressPolicy PUBLIC_ONLY = new AddressPolicy(false);
  public static final AddressPolicy ANY = new AddressPolicy(true);

  public AddressPolicy {
    trusted = Set.copyOf(trusted);
  }

  public AddressPolicy(boolean allowPrivate) {
    this(allowPrivate, Set.of());
  }

  /**
   * Returns this policy with {@code addresses} allowed as if they were public: an operator's choice
   * for the whole process (an intranet site every crawl may reach), never a job's.
   */
  public AddressPolicy trusting(Set<InetAddress> addresses) {
    return new AddressPolicy(allowPrivate, addresses);
  }

  /** Returns why {@code address} is refused, or null when it may be reached. */
  public @Nullable String refusal(InetAddress address) {
    if (allowPrivate || trusted.contains(address)) {
      return null;
    }
    String kind = nonPublicKind(address);
    return kind == null
        ? null
        : address.getHostAddress()
            + " is a "
            + kind
            + " address; such addresses are refused unless private addresses are allowed";
  }

  /** Returns what kind of non-public address this is, or null for a public one. */
  static @Nullable String nonPublicKind(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local";
    }
    if (address.isSiteLocalAddress()) {
      return "private";
    }
    if (address.isMulticastAddress()) {
      return "multicast";
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "unspecified";
      }
      if (first == 100 && second >= 64 && second <= 127) {
        return "carrier-grade NAT";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "benchmarking";
      }
      if (first >= 240) {
        return "reserved";
      }
    } else if (address instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return "unique-local";
      }
      if (isEmbeddedIpv4(b)) {
        try {
          byte[] v4 = {b[12], b[13], b[14], b[15]};
          return nonPublicKind(InetAddress.getByAddress(v4));
        } catch (java.net.UnknownHostException e) {
          return "malformed";
        }
      }
    }
    return null;
  }

  /** IPv4-compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 one. */
  private static boolean isEmbeddedIpv4(byte[] b) {
    boolean zeroPrefix = true;
    for (int i = 0; i < 12; i++) {
      zeroPrefix &= b[i] == 0;
    }
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    return zeroPrefix || nat64;
  }
}

package dev.syncjobs.core.model;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Address ranges (CIDRs, IPv4 and IPv6) that network sources may never reach: link-local and cloud
 * metadata addresses by default. A transfer checks every address a host name resolves to before it
 * connects, and again for every redirect, so a name that resolves into a denied range is refused as
 * surely as an IP literal.
 *
 * <p>An IPv6 address that carries an IPv4 address (IPv4-compatible, 6to4, Teredo, NAT64's {@code
 * 64:ff9b::/96}) is also checked as that IPv4 address. Literal parsing is Guava's {@link
 * InetAddresses}, which never asks DNS; the prefix comparison is plain byte arithmetic.
 */
public final class DeniedNetworks {
  /** The default list: IPv4 and IPv6 link-local, and the cloud metadata addresses outside them. */
  public static final String DEFAULT_TEXT =
      "169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128";

  /** Denies nothing. */
  public static final DeniedNetworks NONE = new DeniedNetworks(List.of());

  /** {@link #DEFAULT_TEXT}. */
  public static final DeniedNetworks DEFAULT = parse(DEFAULT_TEXT);

  private static final byte[] NAT64 = InetAddresses.forString("64:ff9b::").getAddress();
  private static final byte[] MAPPED_PREFIX = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff
  };

  /** Host texts Java reads as an IPv4 literal without asking DNS (1.2.3.4, 1.2.3, 16909060). */
  private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9]+(\\.[0-9]+){0,3}");

  private final List<Network> networks;

  private DeniedNetworks(List<Network> networks) {
    this.networks = List.copyOf(networks);
  }

  /** One CIDR. */
  private record Network(byte[] prefix, int bits, String text) {
    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (prefix[full] & mask);
    }
  }

  /**
   * Parses a comma-separated list of CIDRs ({@code 10.0.0.0/8,fd00::/8}); an address without a
   * prefix length is that one address; {@code none} is the empty list.
   *
   * @throws IllegalArgumentException naming the first entry that is not a CIDR
   */
  public static DeniedNetworks parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is empty (write 'none' to deny no network)");
    }
    if (text.trim().toLowerCase(Locale.ROOT).equals("none")) {
      return NONE;
    }
    List<Network> out = new ArrayList<>();
    for (String item : text.split(",")) {
      String cidr = item.trim();
      if (cidr.isEmpty()) {
        continue;
      }
      out.add(network(cidr));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("names no network (write 'none' to deny no network)");
    }
    return new DeniedNetworks(out);
  }

  private static Network network(String cidr) {
    int slash = cidr.indexOf('/');
    String addressText = slash < 0 ? cidr : cidr.substring(0, slash);
    InetAddress address;
    try {
      address = InetAddresses.forString(addressText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + cidr + "' is not a CIDR like 10.0.0.0/8 or fd00::/8 (not an IP address)");
    }
    byte[] bytes = address.getAddress();
    int max = bytes.length * 8;
    int bits = max;
    if (slash >= 0) {
      String len = cidr.substring(slash + 1);
      if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > max) {
        throw new IllegalArgumentException(
            "'" + cidr + "' is not a CIDR: the prefix length must be 0.." + max);
      }
      bits = Integer.parseInt(len);
    }
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      bytes[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
    }
    InetAddress masked;
    try {
      masked = InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    return new Network(bytes, bits, InetAddresses.toAddrString(masked) + "/" + bits);
  }

  /** Whether this list denies nothing. */
  public boolean isEmpty() {
    return networks.isEmpty();
  }

  /** The denied network that holds {@code address}, if any. */
  public Optional<String> denying(InetAddress address) {
    List<byte[]> forms = new ArrayList<>(2);
    forms.add(address.getAddress());
    if (address instanceof Inet6Address v6) {
      embeddedIpv4(v6).ifPresent(v4 -> forms.add(v4.getAddress()));
    }
    for (Network n : networks) {
      for (byte[] form : forms) {
        if (n.contains(form)) {
          return Optional.of(n.text());
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Inet4Address> embeddedIpv4(Inet6Address v6) {
    if (InetAddresses.hasEmbeddedIPv4ClientAddress(v6)) {
      return Optional.of(InetAddresses.getEmbeddedIPv4ClientAddress(v6));
    }
    byte[] b = v6.getAddress();
    boolean mapped = Arrays.equals(Arrays.copyOf(b, 12), MAPPED_PREFIX);
    boolean nat64 = Arrays.equals(Arrays.copyOf(b, 12), Arrays.copyOf(NAT64, 12));
    return mapped || nat64 ? Optional.of(v4(Arrays.copyOfRange(b, 12, 16))) : Optional.empty();
  }

  private static Inet4Address v4(byte[] four) {
    try {
      return (Inet4Address) InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Refuses a host written as an IP literal in a denied network (checked when a job is saved; a
   * name is left to {@link #resolve}, at connect time).
   *
   * @param host a URI's host, IPv6 literals in brackets
   * @throws SourceRefusedException when the literal is denied
   */
  public void checkLiteral(String host) {
    literal(host).ifPresent(a -> refuseIfDenied(host, a));
  }

  /** The address a host text denotes without DNS, if it is an IP literal. */
  static Optional<InetAddress> literal(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    if (InetAddresses.isUriInetAddress(host)) {
      return Optional.of(InetAddresses.forUriString(host));
    }
    if (NUMERIC_HOST.matcher(host).matches()) {
      try {
        // Java reads these shorthand IPv4 forms itself, without DNS.
        return Optional.of(InetAddress.getByName(host));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Resolves {@code host} and checks every address it has.
   *
   * @return all addresses, none denied
   * @throws UnknownHostException when the name does not resolve
   * @throws SourceRefusedException when any address lies in a denied network
   */
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    if (host == null || host.isEmpty()) {
      // The JDK would answer the loopback address for "no host".
      throw new UnknownHostException("no host to resolve");
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    List<InetAddress> all = List.of(InetAddress.getAllByName(bare));
    for (InetAddress a : all) {
      refuseIfDenied(host, a);
    }
    return all;
  }

  private void refuseIfDenied(String host, InetAddress address) {
    Optional<String> network = denying(address);
    if (network.isPresent()) {
      String shown = InetAddresses.toAddrString(address);
      throw new SourceRefusedException(
          "refused "
              + host
              + (host.equalsIgnoreCase(shown) || host.equalsIgnoreCase("[" + shown + "]")
                  ? ""
                  : " (" + shown + ")")
              + ": the address lies in the denied network "
              + network.get()
              + " (SYNCJOBS_SOURCE_DENY_NETWORKS)");
    }
  }

  /** The networks as CIDRs, comma-separated; {@code none} when empty. */
  @Override
  public String toString() {
    return networks.isEmpty()
        ? "none"
        : String.join(",", networks.stream().map(Network::text).toList());
  }
}

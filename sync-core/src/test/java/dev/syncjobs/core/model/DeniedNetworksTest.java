package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeniedNetworksTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  private static InetAddress mapped(String ipv4) throws Exception {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(InetAddress.getByName(ipv4).getAddress(), 0, b, 12, 4);
    return Inet6Address.getByAddress(null, b, -1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "169.254.169.254",
        "169.254.0.0",
        "169.254.255.255",
        "100.100.100.200",
        "fe80::1",
        "febf:ffff::1",
        "fd00:ec2::254",
        "::169.254.169.254",
        "2002:a9fe:a9fe::1",
        "64:ff9b::a9fe:a9fe"
      })
  void the_default_list_denies_link_local_and_metadata_addresses(String address) throws Exception {
    assertThat(DeniedNetworks.DEFAULT.denying(ip(address))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "::1",
        "10.0.0.1",
        "169.253.255.255",
        "169.255.0.0",
        "100.100.100.201",
        "fec0::1",
        "fd00:ec2::253",
        "2002:0a00:0001::1",
        "8.8.8.8"
      })
  void the_default_list_allows_other_addresses(String address) throws Exception {
    assertThat(DeniedNetworks.DEFAULT.denying(ip(address))).isEmpty();
  }

  @Test
  void an_ipv4_mapped_ipv6_address_is_checked_as_its_ipv4_address() throws Exception {
    InetAddress mapped = mapped("169.254.169.254");
    assertThat(mapped).isInstanceOf(Inet6Address.class);
    assertThat(DeniedNetworks.DEFAULT.denying(mapped)).contains("169.254.0.0/16");
  }

  @Test
  void prefixes_that_end_inside_a_byte_match_exactly_their_range() throws Exception {
    DeniedNetworks n = DeniedNetworks.parse("10.0.0.0/9, fe80::/10");
    assertThat(n.denying(ip("10.127.255.255"))).contains("10.0.0.0/9");
    assertThat(n.denying(ip("10.128.0.0"))).isEmpty();
    assertThat(n.denying(ip("fe80::"))).contains("fe80::/10");
    assertThat(n.denying(ip("fec0::"))).isEmpty();
  }

  @Test
  void host_bits_are_masked_and_a_bare_address_is_one_host() throws Exception {
    DeniedNetworks n = DeniedNetworks.parse("10.1.2.3/8,192.0.2.7,2001:db8::1");
    assertThat(n).hasToString("10.0.0.0/8,192.0.2.7/32,2001:db8::1/128");
    assertThat(n.denying(ip("192.0.2.7"))).isPresent();
    assertThat(n.denying(ip("192.0.2.8"))).isEmpty();
  }

  @Test
  void a_zero_length_prefix_covers_its_own_family_only() throws Exception {
    DeniedNetworks n = DeniedNetworks.parse("0.0.0.0/0");
    assertThat(n.denying(ip("203.0.113.9"))).isPresent();
    assertThat(n.denying(ip("2001:db8::9"))).isEmpty();
  }

  @Test
  void none_denies_nothing() throws Exception {
    DeniedNetworks n = DeniedNetworks.parse(" None ");
    assertThat(n.isEmpty()).isTrue();
    assertThat(n.denying(ip("169.254.169.254"))).isEmpty();
    assertThat(n).hasToString("none");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "fe80::/129",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "10.0.0.0/x",
        "example.com/8",
        "10.0.0/8",
        "10.0.0.0/8,nonsense",
        " , ",
        ""
      })
  void bad_values_are_refused_with_a_message_naming_them(String text) {
    assertThatThrownBy(() -> DeniedNetworks.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("(?s).*('.*'|empty|names no network).*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"169.254.169.254", "[fe80::1]", "[::ffff:a9fe:a9fe]", "2852039166"})
  void ip_literals_in_a_denied_network_are_refused_without_dns(String host) {
    assertThatThrownBy(() -> DeniedNetworks.DEFAULT.checkLiteral(host))
        .isInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("SYNCJOBS_SOURCE_DENY_NETWORKS");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "[::1]", "mirror.example", "10.0.0.1"})
  void other_hosts_pass_the_literal_check(String host) {
    DeniedNetworks.DEFAULT.checkLiteral(host);
  }

  @Test
  void a_name_is_refused_when_any_address_it_resolves_to_is_denied() {
    DeniedNetworks loopback = DeniedNetworks.parse("127.0.0.0/8,::1/128");
    assertThatThrownBy(() -> loopback.resolve("localhost"))
        .isInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("localhost")
        .hasMessageContaining("denied network");
  }

  @Test
  void no_host_resolves_to_nothing_rather_than_to_loopback() {
    assertThatThrownBy(() -> DeniedNetworks.DEFAULT.resolve(""))
        .isInstanceOf(java.net.UnknownHostException.class);
    assertThatThrownBy(() -> DeniedNetworks.DEFAULT.resolve(null))
        .isInstanceOf(java.net.UnknownHostException.class);
  }

  @Test
  void resolving_an_allowed_name_returns_its_addresses() throws Exception {
    assertThat(DeniedNetworks.DEFAULT.resolve("127.0.0.1")).containsExactly(ip("127.0.0.1"));
    assertThat(DeniedNetworks.DEFAULT.resolve("[::1]")).containsExactly(ip("::1"));
  }
}

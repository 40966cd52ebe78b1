package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListingFormatsTest {
  static final Instant T = Instant.parse("2026-11-23T18:04:17Z");
  static final Instant README_T = Instant.parse("2026-11-20T10:15:00Z");
  static final byte[] ISO = Fixture.randomBytes(3_000_000, 7);
  static final String SUMS = Fixture.sha256(ISO) + "  debian-13.1.0-amd64-netinst.iso\n";

  @TempDir Path tmp;

  static String resource(String server, String page) throws IOException {
    try (InputStream in =
        ListingFormatsTest.class.getResourceAsStream("/listings/" + server + "/" + page)) {
      return new String(Objects.requireNonNull(in, page).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Map<String, String> expectedTree(boolean hidden) {
    Map<String, String> m = new LinkedHashMap<>();
    if (hidden) {
      m.put(".hidden", "h\n");
    }
    m.put("iso/SHA256SUMS", SUMS);
    m.put("iso/debian-13.1.0-amd64-netinst.iso", new String(ISO, StandardCharsets.ISO_8859_1));
    m.put("readme.txt", "hello\n");
    m.put("sub dir/100%.txt", "100\n");
    m.put("sub dir/deeper/deep.bin", "deep\n");
    m.put("sub dir/file with space.txt", "space\n");
    m.put("sub dir/Ärger-über-café.txt", "umlt");
    return m;
  }

  static TestServer serve(String server) throws IOException {
    TestServer s = TestServer.start();
    for (var e : expectedTree(true).entrySet()) {
      s.file(
          "/" + e.getKey(),
          e.getValue().getBytes(StandardCharsets.ISO_8859_1),
          e.getKey().equals("readme.txt") ? README_T : T);
    }
    s.file("/sub dir/Ärger-über-café.txt", "umlt", T);
    s.page("/", resource(server, "root.html"));
    s.page("/sub dir/", resource(server, "sub-dir.html"));
    s.page("/iso/", resource(server, "iso.html"));
    return s;
  }

  @ParameterizedTest
  @ValueSource(strings = {"apache2", "caddy", "lighttpd", "nginx", "python-http.server"})
  void mirrors_the_captured_listing_of_each_server_format(String server) throws IOException {
    try (TestServer s = serve(server)) {
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("staging");
      var report = fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/"), staging, null);

      boolean hidden = server.equals("caddy") || server.equals("python-http.server");
      Map<String, String> expected = expectedTree(hidden);
      Map<String, String> actual = Fixture.tree(staging);
      assertThat(actual.keySet())
          .containsExactlyInAnyOrderElementsOf(
              expected.keySet().stream()
                  .map(k -> k.replace('/', java.io.File.separatorChar))
                  .toList());
      assertThat(actual).containsAllEntriesOf(expected);
      assertThat(report.filesTotal()).isEqualTo(expected.size());
      assertThat(report.bytesTotal())
          .isEqualTo(3_000_000 + 98 + 6 + 4 + 5 + 6 + 4 + (hidden ? 2 : 0));
      assertThat(s.requests()).noneMatch(r -> r.rawPath().contains("caddyserver"));
      if (server.equals("nginx")) {
        assertThat(s.requests()).noneMatch(r -> r.method().equals("HEAD"));
      }
      if (server.equals("python-http.server")) {
        assertThat(
                s.requests().stream()
                    .filter(r -> r.method().equals("HEAD"))
                    .map(TestServer.Request::rawPath))
            .containsExactlyInAnyOrder(
                "/.hidden",
                "/readme.txt",
                "/iso/SHA256SUMS",
                "/iso/debian-13.1.0-amd64-netinst.iso",
                "/sub%20dir/100%25.txt",
                "/sub%20dir/file%20with%20space.txt",
                "/sub%20dir/%C3%84rger-%C3%BCber-caf%C3%A9.txt");
      }
    }
  }

  @Test
  void reads_sizes_and_times_as_each_format_shows_them() throws IOException {
    Map<String, ListingParser.Entry> nginx = byHref(resource("nginx", "iso.html"));
    assertThat(nginx.get("SHA256SUMS").size()).isEqualTo(98);
    assertThat(nginx.get("SHA256SUMS").sizeExact()).isTrue();
    assertThat(nginx.get("SHA256SUMS").mtime()).isEqualTo(Instant.parse("2026-11-23T18:04:00Z"));
    assertThat(nginx.get("SHA256SUMS").precisionSeconds()).isEqualTo(60);

    Map<String, ListingParser.Entry> apache = byHref(resource("apache2", "iso.html"));
    ListingParser.Entry iso = apache.get("debian-13.1.0-amd64-netinst.iso");
    assertThat(iso.sizeExact()).isFalse();
    assertThat(iso.size()).isBetween(2_900_000L, 3_100_000L);
    assertThat(iso.mtime()).isEqualTo(Instant.parse("2026-11-23T18:04:00Z"));

    Map<String, ListingParser.Entry> lighttpd = byHref(resource("lighttpd", "sub-dir.html"));
    assertThat(lighttpd.get("100%25.txt").mtime()).isEqualTo(T);
    assertThat(lighttpd.get("100%25.txt").precisionSeconds()).isEqualTo(1);
    assertThat(lighttpd.get("deeper/").directoryHint()).isTrue();

    Map<String, ListingParser.Entry> caddy = byHref(resource("caddy", "iso.html"));
    ListingParser.Entry cIso = caddy.get("./debian-13.1.0-amd64-netinst.iso");
    assertThat(cIso.size()).isEqualTo(3_000_000L);
    assertThat(cIso.sizeExact()).isTrue();
    assertThat(cIso.mtime()).isEqualTo(T);

    Map<String, ListingParser.Entry> python = byHref(resource("python-http.server", "iso.html"));
    assertThat(python.get("SHA256SUMS").size()).isNull();
    assertThat(python.get("SHA256SUMS").mtime()).isNull();
  }

  private static Map<String, ListingParser.Entry> byHref(String html) {
    Map<String, ListingParser.Entry> m = new LinkedHashMap<>();
    List<ListingParser.Entry> entries = ListingParser.parse(html);
    for (ListingParser.Entry e : entries) {
      m.putIfAbsent(e.href(), e);
    }
    return m;
  }
}

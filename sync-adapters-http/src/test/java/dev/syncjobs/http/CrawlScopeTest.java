package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrawlScopeTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void never_follows_hostile_links_and_logs_them() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/secret.txt", "secret", T);
      s.file("/pub/ok.txt", "ok", T);
      s.file("/pub/deeper/inner.txt", "inner", T);
      s.page(
          "/pub/",
          """
          <html><body><pre>
          <a href="../">../</a>
          <a href="../secret.txt">parent file</a>
          <a href="/secret.txt">absolute path</a>
          <a href="sub/../../secret.txt">climbing</a>
          <a href="%2e%2e/secret.txt">escaped dots</a>
          <a href="http://evil.example/x.iso">other host</a>
          <a href="//evil.example/y.iso">scheme-relative</a>
          <a href="http://127.0.0.1:1/z.iso">other port</a>
          <a href="javascript:alert(1)">script</a>
          <a href="JaVaScRiPt:alert(2)">script2</a>
          <a href="mailto:root@example.org">mail</a>
          <a href="ok.txt?download=1">query</a>
          <a href="a%2Fb.txt">slash in name</a>
          <a href="ok.txt">ok.txt</a>           01-Oct-2026 12:00     2
          <a href="deeper">deeper</a>
          </pre></body></html>
          """);
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/pub/"), staging, null);

      assertThat(Fixture.tree(staging).keySet())
          .containsExactlyInAnyOrder("ok.txt", "deeper/inner.txt");
      assertThat(s.requests())
          .noneMatch(r -> r.rawPath().contains("secret") || r.rawPath().contains("iso"))
          .noneMatch(r -> r.rawPath().contains("?"));
      assertThat(Files.exists(tmp.resolve("secret.txt"))).isFalse();
      assertThat(String.join("\n", fx.log))
          .contains("evil.example/x.iso")
          .contains("javascript:alert(1)")
          .contains("JaVaScRiPt:alert(2)")
          .contains("/secret.txt")
          .contains("a%2Fb.txt");
    }
  }

  @Test
  void mirrors_odd_names_with_spaces_percent_escapes_and_utf8() throws IOException {
    try (TestServer s = TestServer.start()) {
      List<String> names =
          List.of("a b.txt", "100%.txt", "Ärger über café.txt", "日本語.txt", "x#y.txt", "q&a+.txt");
      for (String n : names) {
        s.file("/d/" + n, n, T);
      }
      s.file("/d/space dir/inner file.txt", "inner", T);
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/d/"), staging, null);

      var tree = Fixture.tree(staging);
      for (String n : names) {
        assertThat(Files.readString(staging.resolve(n))).isEqualTo(n);
      }
      assertThat(tree).hasSize(names.size() + 1).containsKey("space dir/inner file.txt");
    }
  }

  @Test
  void excluded_directories_are_not_crawled_and_filtered_files_not_fetched() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/r/keep.iso", "k", T);
      s.file("/r/skip.txt", "s", T);
      s.file("/r/private/x.iso", "x", T);
      s.file("/r/only-txt/y.txt", "y", T);
      Fixture fx = new Fixture();
      fx.filters = Filters.of(List.of(new FilterRule(false, "private/")), null, "*.txt");
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/r/"), staging, null);

      assertThat(Fixture.tree(staging).keySet()).containsExactly("keep.iso");
      assertThat(Files.exists(staging.resolve("only-txt"))).isFalse();
      assertThat(s.requests()).noneMatch(r -> r.rawPath().startsWith("/r/private"));
      assertThat(s.requests()).noneMatch(r -> r.rawPath().endsWith(".txt"));
    }
  }

  @Test
  void listing_depth_entries_and_page_size_are_bounded() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/b/top.txt", "t", T);
      s.file("/b/one/two/three/deep.txt", "d", T);
      Fixture fx = new Fixture();
      Path st = tmp.resolve("depth");
      fx.run(
          new HttpTransfer(Fixture.fastSettings().withListingLimits(2, 100, 1 << 20)),
          s.uri("/b/"),
          st,
          null);
      assertThat(Fixture.tree(st).keySet()).containsExactly("top.txt");
      assertThat(String.join("\n", fx.log)).contains("not descending into one/two/three");

      for (int i = 0; i < 20; i++) {
        s.file("/many/f" + i, "x", T);
      }
      assertThatThrownBy(
              () ->
                  new Fixture()
                      .run(
                          new HttpTransfer(
                              Fixture.fastSettings().withListingLimits(32, 10, 1 << 20)),
                          s.uri("/many/"),
                          tmp.resolve("entries"),
                          null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("more than 10 entries");
      assertThatThrownBy(
              () ->
                  new Fixture()
                      .run(
                          new HttpTransfer(Fixture.fastSettings().withListingLimits(32, 100, 200)),
                          s.uri("/many/"),
                          tmp.resolve("page"),
                          null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("larger than 200 bytes");
    }
  }

  @Test
  void mirrors_a_single_file_url() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/isos/one.iso", Fixture.randomBytes(100_000, 3), T);
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      var report =
          fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/isos/one.iso"), staging, null);
      assertThat(Fixture.tree(staging).keySet()).containsExactly("one.iso");
      assertThat(Fixture.sha256(staging.resolve("one.iso")))
          .isEqualTo(Fixture.sha256(s.content("/isos/one.iso").data()));
      assertThat(report.bytesTransferred()).isEqualTo(100_000);
      assertThat(Files.getLastModifiedTime(staging.resolve("one.iso")).toInstant()).isEqualTo(T);
    }
  }

  @Test
  void a_missing_root_fails_without_retry_value() throws IOException {
    try (TestServer s = TestServer.start()) {
      Fixture fx = new Fixture();
      assertThatThrownBy(
              () ->
                  fx.run(
                      new HttpTransfer(Fixture.fastSettings()),
                      s.uri("/nothing/"),
                      tmp.resolve("st"),
                      null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("/nothing/")
          .hasMessageContaining("404")
          .satisfies(e -> assertThat(((TransferException) e).retryable()).isFalse());
    }
  }

  @Test
  void credentials_go_to_the_source_host_only_never_across_a_redirect() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/cdn/big.iso", "payload", T);
      s.file("/src/small.txt", "small", T);
      s.page(
          "/src/",
          "<pre><a href=\"small.txt\">small.txt</a>  01-Oct-2026 12:00  5\n"
              + "<a href=\"big.iso\">big.iso</a>  01-Oct-2026 12:00  7\n</pre>");
      s.redirect("/src/big.iso", s.uriWithHost("localhost", "/cdn/big.iso").toString());
      Fixture fx = new Fixture();
      fx.auth = new SourceAuth(SourceAuth.Type.BEARER, null, null, "t0ken", null, null);
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/src/"), staging, null);

      assertThat(Files.readString(staging.resolve("big.iso"))).isEqualTo("payload");
      var reqs = s.requests();
      assertThat(reqs)
          .filteredOn(r -> r.rawPath().startsWith("/src/"))
          .allMatch(r -> "Bearer t0ken".equals(r.headers().get("authorization")));
      assertThat(reqs)
          .filteredOn(r -> r.rawPath().startsWith("/cdn/"))
          .isNotEmpty()
          .allMatch(r -> !r.headers().containsKey("authorization"));
    }
  }

  @Test
  void gives_up_after_five_redirects() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.page("/loop/", "<pre><a href=\"f\">f</a>  01-Oct-2026 12:00  1\n</pre>");
      for (int i = 0; i < 10; i++) {
        s.redirect(i == 0 ? "/loop/f" : "/hop" + i, "/hop" + (i + 1));
      }
      Fixture fx = new Fixture();
      assertThatThrownBy(
              () ->
                  fx.run(
                      new HttpTransfer(Fixture.fastSettings()),
                      s.uri("/loop/"),
                      tmp.resolve("st"),
                      null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("redirects");
      assertThat(s.requests()).filteredOn(r -> r.rawPath().startsWith("/hop")).hasSize(5);
    }
  }
}

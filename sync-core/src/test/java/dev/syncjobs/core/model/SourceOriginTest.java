package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceOriginTest {

  @ParameterizedTest
  @CsvSource({
    "http://mirror.example/a/, HTTP://Mirror.Example:80/b/file.iso",
    "https://mirror.example/a, https://mirror.example:443/c/",
    "rsync://files.example/mod/a, rsync://files.example:873/mod/b",
    "ssh://backup@files.example/srv/a, ssh://other@files.example:22/srv/b",
    "file:///srv/a, file:///srv/b"
  })
  void same_origin_when_scheme_host_and_port_agree(String a, String b) {
    assertThat(Source.parse(a).origin()).isEqualTo(Source.parse(b).origin());
  }

  @ParameterizedTest
  @CsvSource({
    "http://mirror.example/a/, https://mirror.example/a/",
    "http://mirror.example/a/, http://other.example/a/",
    "http://mirror.example/a/, http://mirror.example:8080/a/",
    "rsync://files.example/mod/a, ssh://files.example/mod/a",
    "https://mirror.example/a, file:///a"
  })
  void another_origin_when_scheme_host_or_port_differ(String a, String b) {
    assertThat(Source.parse(a).origin()).isNotEqualTo(Source.parse(b).origin());
  }

  @ParameterizedTest
  @CsvSource({
    "https://Mirror.Example/a/, https://mirror.example:443",
    "rsync://files.example/mod/, rsync://files.example:873",
    "file:///srv/a, file://"
  })
  void an_origin_reads_as_scheme_host_and_port(String url, String shown) {
    assertThat(Source.parse(url).origin()).hasToString(shown);
  }
}

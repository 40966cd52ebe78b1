package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RemoteFileTest {
  static final String BASE = "http://h:8080/src/d%20x/";

  @Test
  void gives_back_the_url_it_was_given_whatever_the_shared_base() {
    String[][] cases = {
      {"d x/a.txt", BASE + "a.txt", BASE},
      {"d x/é.txt", BASE + "%C3%A9.txt", BASE},
      {"d x/a.txt", BASE + "b.txt", BASE},
      {"d x/a.txt", "http://other/a.txt", BASE},
      {"d x/a.txt", BASE + "a.txt", null},
      {"a.txt", "http://h/a.txt", "http://h/"},
      {"a.txt", "http://h/", "http://h/"},
    };
    for (String[] c : cases) {
      RemoteFile f = new RemoteFile(c[0], c[1], c[2], 5L, null, 1, null, null);
      assertThat(f.url()).isEqualTo(c[1]);
      assertThat(f.uri()).isEqualTo(URI.create(c[1]));
      assertThat(f.path()).isEqualTo(c[0]);
    }
  }

  @Test
  void unknown_values_stay_null_and_known_ones_keep_their_value() {
    RemoteFile none = new RemoteFile("a", URI.create("http://h/a"), null, null, 60, null, null);
    assertThat(none.size()).isNull();
    assertThat(none.mtime()).isNull();
    assertThat(none.listed()).isNull();
    assertThat(none.etag()).isNull();
    assertThat(none.precisionSeconds()).isEqualTo(60);

    Instant t = Instant.ofEpochSecond(-5, 7);
    RemoteFile f = new RemoteFile("a", URI.create("http://h/a"), Long.MIN_VALUE, t, 1, 0L, "\"e\"");
    assertThat(f.size()).isEqualTo(Long.MIN_VALUE);
    assertThat(f.mtime()).isEqualTo(t);
    assertThat(f.listed()).isEqualTo(0L);
    assertThat(f.etag()).isEqualTo("\"e\"");
    assertThat(
            new RemoteFile("a", URI.create("http://h/a"), 0L, Instant.EPOCH, 1, null, null).mtime())
        .isEqualTo(Instant.EPOCH);
  }
}

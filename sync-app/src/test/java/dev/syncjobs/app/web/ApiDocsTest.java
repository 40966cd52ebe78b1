package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/api.md lists exactly the server's routes. */
class ApiDocsTest {
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| (GET|HEAD|OPTIONS|POST|PATCH|PUT|DELETE|WS) \\| `([^`]+)` \\|", Pattern.MULTILINE);

  @TempDir Path tmp;

  @Test
  void docs_api_md_documents_every_route_and_no_other() throws Exception {
    Path doc = Path.of("..", "docs", "api.md");
    assertThat(doc).exists();
    Set<SyncServer.Route> documented = new HashSet<>();
    Matcher m = ROW.matcher(Files.readString(doc));
    while (m.find()) {
      documented.add(new SyncServer.Route(m.group(1), m.group(2)));
    }
    try (TestServer s = new TestServer(tmp)) {
      assertThat(documented).containsExactlyInAnyOrderElementsOf(s.server.routes());
    }
  }
}

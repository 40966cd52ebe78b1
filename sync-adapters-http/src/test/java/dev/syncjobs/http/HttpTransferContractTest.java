package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.UnholdableNamesContract;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link HttpTransfer} against a real HTTP server on loopback serving nginx-style directory
 * listings of the contract's source folders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpTransferContractTest extends UnholdableNamesContract {
  private static final DateTimeFormatter NGINX_DATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final HttpTransfer transfer = new HttpTransfer(Fixture.fastSettings());
  private final AtomicInteger roots = new AtomicInteger();
  private final TreeMap<Path, List<String>> served = new TreeMap<>();
  private TestServer server;

  @BeforeAll
  void start() throws IOException {
    server = TestServer.start();
  }

  @AfterAll
  void stop() throws IOException {
    server.close();
  }

  @Override
  protected Transfer transfer() {
    return transfer;
  }

  /** HTTP says nothing about modes: files are 0444 and folders 0755 whatever the server has. */
  @Override
  protected Set<PosixFilePermission> expectedFileMode(Set<PosixFilePermission> source) {
    return PosixFilePermissions.fromString("r--r--r--");
  }

  @Override
  protected Set<PosixFilePermission> expectedFolderMode(Set<PosixFilePermission> source) {
    return PosixFilePermissions.fromString("rwxr-xr-x");
  }

  @Override
  protected Path newSourceRoot() throws IOException {
    return Files.createDirectories(work.resolve("src-" + roots.incrementAndGet()));
  }

  @Override
  protected Source serve(Path root) throws IOException {
    return Source.parse(server.uri(prefix(root)).toString());
  }

  @Override
  protected Source serveWithNames(Path root, List<String> names) throws IOException {
    String prefix = prefix(root);
    StringBuilder page = new StringBuilder("<html><body><h1>Index of ");
    page.append(prefix).append("</h1><hr><pre><a href=\"../\">../</a>\n");
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String href = UriText.encodeSegment(name) + (a.isDirectory() ? "/" : "");
        page.append(row(href, name, a.isDirectory() ? "-" : Long.toString(a.size())));
      }
    }
    for (String name : names) {
      String href =
          name.equals(".") || name.equals("..")
              ? name.replace(".", "%2E")
              : UriText.encodeSegment(name);
      page.append(row(href, "x", "5"));
    }
    page.append("</pre><hr></body></html>\n");
    server.page(prefix, page.toString());
    return Source.parse(server.uri(prefix).toString());
  }

  @Test
  void a_name_that_is_not_utf8_is_skipped_and_counted() throws Exception {
    Path root = newSourceRoot();
    write(root, "fine.txt", "fine");
    String prefix = prefix(root);
    server.page(
        prefix,
        "<html><body><pre>"
            + row("fine.txt", "fine.txt", "4")
            + row("bad%FF%FE.txt", "bad", "3")
            + "</pre></body></html>");

    TransferReport report =
        run(
            Source.parse(server.uri(prefix).toString()),
            staging(Instant.parse("2026-11-23T03:00:00Z")),
            Optional.empty());

    assertThat(report.filesSkipped()).isOne();
    assertThat(report.filesTotal()).isOne();
    assertThat(log).anyMatch(l -> l.contains("bad%FF%FE.txt") && l.contains("not valid UTF-8"));
  }

  @Test
  void links_planted_at_the_adapters_own_record_names_redirect_no_write() throws Exception {
    Path outsideDir = Files.createDirectories(work.resolve("outside-dir"));
    Path outsideFile = Files.writeString(work.resolve("outside-file"), "keep");
    Path root = newSourceRoot();
    write(root, "a.txt", "a");
    Path staging = staging(Instant.parse("2026-11-23T03:00:00Z"));
    Path records = Files.createDirectories(Bookkeeping.of(staging));
    Files.createSymbolicLink(PartialFolder.of(staging), outsideDir);
    Files.createSymbolicLink(records.resolve(Manifest.FILE + ".tmp"), outsideFile);

    run(serve(root), staging, Optional.empty());

    assertThat(outsideDir).isEmptyDirectory();
    assertThat(Files.readString(outsideFile)).isEqualTo("keep");
    assertThat(tree(staging)).isEqualTo(tree(root));
    assertThat(Manifest.read(Manifest.of(staging))).containsOnlyKeys("a.txt");
  }

  private static String row(String href, String text, String size) {
    return "<a href=\""
        + href
        + "\">"
        + text.replace("&", "&amp;").replace("<", "&lt;")
        + "</a>    "
        + NGINX_DATE.format(Instant.parse("2026-01-01T00:00:00Z"))
        + "    "
        + size
        + "\n";
  }

  /** Loads the tree at {@code root} into the server under a path of its own; returns that path. */
  private String prefix(Path root) throws IOException {
    String prefix = "/" + root.getParent().getFileName() + "-" + root.getFileName() + "/";
    List<String> old = served.remove(root);
    if (old != null) {
      old.forEach(server::remove);
    }
    List<String> paths = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String path = prefix + root.relativize(p);
        server.file(path, Files.readAllBytes(p), Files.getLastModifiedTime(p).toInstant());
        paths.add(path);
      }
    }
    served.put(root, paths);
    return prefix;
  }
}

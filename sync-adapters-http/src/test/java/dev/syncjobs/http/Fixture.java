package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds transfer requests and reads trees for the HTTP adapter's tests. */
final class Fixture {
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final List<Progress> progress = Collections.synchronizedList(new ArrayList<>());
  final CancellationToken cancel = new CancellationToken();
  Filters filters = Filters.none();
  SourceAuth auth;
  String caBundle;
  TransferRequest.Options options =
      new TransferRequest.Options(true, false, null, Duration.ofSeconds(10));

  static HttpSettings fastSettings() {
    return HttpSettings.defaults().withRetries(4, Duration.ofMillis(20));
  }

  TransferRequest request(URI source, Path staging, Path previous) {
    return new TransferRequest(
        Source.parse(source.toString()),
        auth,
        caBundle,
        staging,
        Optional.ofNullable(previous),
        filters,
        options,
        progress::add,
        cancel,
        log::add);
  }

  TransferReport run(HttpTransfer t, URI source, Path staging, Path previous) throws IOException {
    Files.createDirectories(staging);
    return t.transfer(request(source, staging, previous));
  }

  /** Path to content (as text) of every regular file below {@code root}. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = root.relativize(p).toString();
        if (!Files.isRegularFile(p)) {
          continue;
        }
        out.put(rel, Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }

  static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino");
  }

  /** Makes a finished staging tree look like a published version: read-only files. */
  static void publish(Path version) throws IOException {
    try (Stream<Path> s = Files.walk(version)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          p.toFile().setWritable(false, false);
        }
      }
    }
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] data) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path p) throws IOException {
    return sha256(Files.readAllBytes(p));
  }
}

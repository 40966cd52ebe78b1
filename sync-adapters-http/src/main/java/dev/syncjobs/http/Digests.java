package dev.syncjobs.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Message digests of downloaded files. */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    return of("SHA-256");
  }

  /** The hex digest of {@code file}'s bytes by {@code algorithm} (one the JDK has). */
  static String hashFile(Path file, String algorithm) throws IOException {
    MessageDigest md = of(algorithm);
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest of(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

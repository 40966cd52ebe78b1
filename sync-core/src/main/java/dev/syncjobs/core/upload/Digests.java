package dev.syncjobs.core.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digests uploads check, by the names the JDK gives them. */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    return of("SHA-256");
  }

  static MessageDigest of(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }
}

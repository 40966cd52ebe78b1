package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The file that keeps the key sealing stored source credentials (AES-256, base64, mode 0600): read
 * when it exists, else made once with a new random key. Lose it and the stored credentials cannot
 * be opened any more (every job that has some must be given them again), so it belongs in the same
 * backups as the database, and every process on one database must read the same file.
 */
public final class SecretKeyFile {
  /** The key's length in bytes. */
  public static final int KEY_BYTES = 32;

  private SecretKeyFile() {}

  /**
   * The key in {@code file}, made and written there (mode 0600) when the file does not exist.
   *
   * @throws SyncException when the file cannot be read or written, or holds no 32-byte base64 key
   */
  public static byte[] readOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        return read(file);
      }
      byte[] key = Database.newSecretKey();
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // written in full under a temporary name, then linked to its name: a process starting at
      // the same time reads either no file or the whole key, and of two writers one wins
      Path temp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid());
      Files.deleteIfExists(temp);
      PrivateFiles.create(temp);
      try {
        Files.writeString(
            temp, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
        Files.createLink(file, temp);
        return key;
      } catch (FileAlreadyExistsException raced) {
        return read(file);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new SyncException("cannot read or write the secret key file " + file + ": " + e, e);
    }
  }

  private static byte[] read(Path file) throws IOException {
    PrivateFiles.tighten(file);
    byte[] key;
    try {
      key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IllegalArgumentException e) {
      throw new SyncException(file + " is not a base64 key: " + e.getMessage(), e);
    }
    if (key.length != KEY_BYTES) {
      throw new SyncException(file + " must hold a " + KEY_BYTES + "-byte key (base64)");
    }
    return key;
  }
}

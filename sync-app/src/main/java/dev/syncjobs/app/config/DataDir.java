package dev.syncjobs.app.config;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.persistence.OwnerLock;
import dev.syncjobs.persistence.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server's data directory (mode 700): one server owns it (a lock file held while it runs, an
 * {@link OwnerLock}), it keeps the generated admin token ({@code admin.token}, mode 600) and the
 * chosen port ({@code server.port}); the database and the sealing key in it are kept by the
 * persistence adapter.
 */
public final class DataDir implements AutoCloseable {
  public static final String LOCK_FILE = "syncjobs.lock";
  public static final String ADMIN_TOKEN_FILE = "admin.token";
  public static final String PORT_FILE = "server.port";

  private final Path root;
  private final OwnerLock lock;

  private DataDir(Path root, OwnerLock lock) {
    this.root = root;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed and takes its lock.
   *
   * @throws ConfigException when it cannot be created or another server holds it
   */
  public static DataDir open(Path root) {
    try {
      PrivateFiles.directory(root);
    } catch (IOException e) {
      throw new ConfigException("SYNCJOBS_DATA_DIR: cannot create " + root + ": " + e.getMessage());
    }
    try {
      return new DataDir(
          root,
          OwnerLock.acquire(
              root.resolve(LOCK_FILE), "the data dir " + root, "stop the other server"));
    } catch (OwnerLock.HeldException e) {
      throw new ConfigException(
          "another syncjobs server already uses the data dir "
              + root
              + " (its lock file "
              + LOCK_FILE
              + " is held); stop it or set SYNCJOBS_DATA_DIR to another directory");
    } catch (SyncException e) {
      throw new ConfigException("SYNCJOBS_DATA_DIR: " + e.getMessage());
    }
  }

  public Path root() {
    return root;
  }

  /**
   * The admin token: the configured one, else the one stored in {@code admin.token}, else a new
   * random one written there once with mode 600.
   */
  public String adminToken(String configured) {
    if (configured != null) {
      return configured;
    }
    Path file = root.resolve(ADMIN_TOKEN_FILE);
    try {
      if (Files.exists(file)) {
        PrivateFiles.tighten(file);
        String stored = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (stored.length() >= ServerConfig.MIN_TOKEN_LENGTH) {
          return stored;
        }
        throw new ConfigException(
            file + " holds no usable token; delete it to have a new one generated");
      }
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      writePrivate(file, token + "\n");
      return token;
    } catch (FileAlreadyExistsException e) {
      return adminToken(null);
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static void writePrivate(Path file, String content) throws IOException {
    PrivateFiles.create(file);
    Files.writeString(file, content, StandardCharsets.US_ASCII);
  }

  /** Records the port the server listens on. */
  public void writePort(int port) {
    try {
      Files.writeString(root.resolve(PORT_FILE), port + "\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("cannot write " + root.resolve(PORT_FILE) + ": " + e.getMessage());
    }
  }

  /** Releases the lock. */
  @Override
  public void close() {
    lock.close();
  }
}

package dev.syncjobs.app.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server's data directory (mode 700): one server owns it (a lock file held while it runs), it
 * keeps the generated admin token ({@code admin.token}, mode 600) and the chosen port ({@code
 * server.port}).
 */
public final class DataDir implements AutoCloseable {
  public static final String LOCK_FILE = "syncjobs.lock";
  public static final String ADMIN_TOKEN_FILE = "admin.token";
  public static final String PORT_FILE = "server.port";
  public static final String SECRET_KEY_FILE = "secret.key";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
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
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw locked(root);
      }
      return new DataDir(root, channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw locked(root);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new ConfigException(
          "SYNCJOBS_DATA_DIR: cannot lock " + root.resolve(LOCK_FILE) + ": " + e.getMessage());
    } catch (ConfigException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static ConfigException locked(Path root) {
    return new ConfigException(
        "another syncjobs server already uses the data dir "
            + root
            + " (its lock file "
            + LOCK_FILE
            + " is held); stop it or set SYNCJOBS_DATA_DIR to another directory");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to release
      }
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

  /**
   * The key that seals stored credentials: read from {@code secret.key}, or made by {@code
   * generate} and written there once with mode 600. Cluster instances must share one key file.
   */
  public byte[] secretKey(java.util.function.Supplier<byte[]> generate) {
    return secretKey(root.resolve(SECRET_KEY_FILE), generate);
  }

  /** The sealing key kept in {@code file} (created once, mode 600, when missing). */
  public byte[] secretKey(Path file, java.util.function.Supplier<byte[]> generate) {
    try {
      if (Files.exists(file)) {
        PrivateFiles.tighten(file);
        return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
      }
      byte[] key = generate.get();
      writePrivate(file, Base64.getEncoder().encodeToString(key) + "\n");
      return key;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file + " is not a base64 key: " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read or write " + file + ": " + e.getMessage());
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
    try {
      if (lock.isValid()) {
        lock.release();
      }
      lockChannel.close();
    } catch (IOException ignored) {
      // the process is ending; the OS releases the lock anyway
    }
  }
}

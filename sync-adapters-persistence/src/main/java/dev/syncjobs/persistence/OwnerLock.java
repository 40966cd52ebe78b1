package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a lock file, held by one process until it is closed (or the process ends:
 * the operating system releases it, so a crash leaves nothing to clean up). It guards what only one
 * process may own at a time: a SQLite database ({@link JdbcPersistence} locks {@code
 * <database>.lock}) and the server's data dir. The lock file is separate from what it guards: a
 * lock on the SQLite file itself would be released when SQLite closes any of its own handles.
 */
public final class OwnerLock implements AutoCloseable {

  /** The lock is held by another process (or already by this one). */
  public static final class HeldException extends SyncException {
    private final Path lockFile;

    HeldException(Path lockFile, String message) {
      super(message);
      this.lockFile = lockFile;
    }

    /** The lock file whose lock is held. */
    public Path lockFile() {
      return lockFile;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private OwnerLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code lockFile} (created when missing) at once, without waiting.
   *
   * @param guarded what the lock guards, for the message: "the SQLite database /srv/x/syncjobs.db"
   * @param advice what to do when it is held, for the message
   * @throws HeldException when another process (or this one) holds it
   * @throws SyncException when the lock file cannot be created or locked
   */
  public static OwnerLock acquire(Path lockFile, String guarded, String advice) {
    FileChannel channel = null;
    try {
      Path parent = lockFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw held(lockFile, guarded, "another process", advice);
      }
      return new OwnerLock(lockFile, channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw held(lockFile, guarded, "this process already", advice);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new SyncException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static HeldException held(Path lockFile, String guarded, String who, String advice) {
    return new HeldException(
        lockFile,
        guarded + " is in use: " + who + " holds its lock file " + lockFile + "; " + advice);
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Releases the lock (the lock file stays). */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // closing the channel below releases it too
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }
}

package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * An upload's data file: created at its full size (sparse) when the upload starts, then written
 * chunk by chunk at each chunk's place with positional writes, so the finished file needs no
 * re-assembly. Bytes are hashed as they pass and synced to disk before a write reports them.
 */
final class DataFile {
  private static final int BUFFER = 256 * 1024;

  /** What one write stored. */
  record Written(long bytes, boolean overflow, IOException failure) {}

  private DataFile() {}

  /** Creates the data file (mode 0600, never through a link) with {@code size} bytes. */
  static void create(Path file, long size) throws IOException {
    Path folder = file.getParent();
    try {
      Files.createDirectory(folder);
    } catch (FileAlreadyExistsException e) {
      BasicFileAttributes a =
          Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory() || a.isSymbolicLink()) {
        throw new IOException(folder + " is not a folder");
      }
    }
    try (FileChannel ch =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      if (size > 0) {
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
      ch.force(true);
    }
  }

  /**
   * Streams {@code in} into {@code file} from {@code position}, at most {@code max} bytes, through
   * {@code digests} and {@code throttle}, then syncs what it wrote. A body longer than {@code max}
   * is read one byte past it and reported as {@code overflow}. A failed read (the client went away,
   * the request was interrupted) is reported in {@code failure} with the bytes written and synced
   * before it.
   *
   * @throws NotFoundException when the data file is gone (the upload was cancelled)
   * @throws IOException when the file cannot be written (a full disk among others)
   */
  static Written write(
      Path file,
      long position,
      InputStream in,
      long max,
      UploadThrottle throttle,
      List<MessageDigest> digests)
      throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new NotFoundException("the upload's data is gone (cancelled or expired)");
    }
    try (ch) {
      return BodyWriter.write(ch, position, in, max, throttle, digests);
    }
  }

  /** Reads {@code in} to its end (at most {@code max + 1} bytes) through {@code digests}. */
  static Written drain(InputStream in, long max, List<MessageDigest> digests) {
    byte[] buf = new byte[BUFFER];
    long done = 0;
    try {
      int n;
      while (done <= max
          && (n = in.read(buf, 0, (int) Math.min(buf.length, max - done + 1))) >= 0) {
        for (MessageDigest d : digests) {
          d.update(buf, 0, n);
        }
        done += n;
      }
      return new Written(Math.min(done, max), done > max, null);
    } catch (IOException e) {
      return new Written(done, false, e);
    }
  }

  /** The SHA-256 of a whole file, hex. */
  static String sha256(Path file) throws IOException {
    MessageDigest d = Digests.sha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }
}

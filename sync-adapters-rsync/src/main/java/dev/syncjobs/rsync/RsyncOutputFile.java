package dev.syncjobs.rsync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * rsync's standard output, written to a file in the staging directory's records and read back as it
 * grows, rather than through a pipe. rsync writes a progress line per transferred file; appending
 * to a file costs it less than writing into a pipe the server must drain, and nothing wakes the
 * server per line: it reads what gathered a few times a second. The file grows by a line per
 * transferred file for the run's length and is deleted by {@link #close()}.
 */
final class RsyncOutputFile implements AutoCloseable {
  static final String NAME = "rsync-output";

  private final Path file;
  private final FileChannel channel;

  private RsyncOutputFile(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Creates the file, new and readable by this user only, in {@code records}. */
  static RsyncOutputFile create(Path records) throws IOException {
    Path file = records.resolve(NAME);
    Files.deleteIfExists(file); // a leftover, or a link: never written through
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return new RsyncOutputFile(file, FileChannel.open(file, StandardOpenOption.READ));
  }

  /** Where rsync's standard output goes: appended, so every line lands after the last. */
  ProcessBuilder.Redirect redirect() {
    return ProcessBuilder.Redirect.appendTo(file.toFile());
  }

  /**
   * Reads what rsync wrote since the last read into {@code buf} (cleared first).
   *
   * @return the bytes read, 0 when nothing new is there yet
   */
  int read(ByteBuffer buf) throws IOException {
    buf.clear();
    int n = channel.read(buf);
    return Math.max(n, 0);
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}

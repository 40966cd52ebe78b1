package dev.syncjobs.core.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Streams a request body into a data file in two stages: the request's thread reads the next buffer
 * from the network while a second thread hashes and writes the previous one. One client sends one
 * chunk at a time and waits for its answer, so without the overlap it would wait for the read, then
 * the hash, then the write of every buffer in turn. The hash still sees the buffers in order: a
 * buffer is handed over only once the one before it is written.
 */
final class BodyWriter {
  private static final int BUFFER = 256 * 1024;

  private static final ExecutorService STAGES = Helpers.pool("upload-write");

  private final FileChannel ch;
  private final long position;
  private final List<MessageDigest> digests;
  private final Writeback writeback;
  private final byte[][] buffers = {new byte[BUFFER], new byte[BUFFER]};
  private Future<?> writing;

  private BodyWriter(
      FileChannel ch, long position, List<MessageDigest> digests, Writeback writeback) {
    this.ch = ch;
    this.position = position;
    this.digests = digests;
    this.writeback = writeback;
  }

  /** See {@link DataFile#write}; {@code ch} stays open. */
  static DataFile.Written write(
      FileChannel ch,
      long position,
      InputStream in,
      long max,
      UploadThrottle throttle,
      List<MessageDigest> digests)
      throws IOException {
    try (Writeback writeback = new Writeback(ch)) {
      BodyWriter w = new BodyWriter(ch, position, digests, writeback);
      try {
        return w.run(in, max, throttle);
      } finally {
        w.awaitWriting(); // never leave the channel or a buffer to the other stage
      }
    }
  }

  private DataFile.Written run(InputStream in, long max, UploadThrottle throttle)
      throws IOException {
    long done = 0;
    IOException failure = null;
    boolean overflow = false;
    boolean end = false;
    int next = 0;
    while (!end && failure == null) {
      byte[] buf = buffers[next];
      next ^= 1;
      int want = (int) Math.min(buf.length, max - done + 1);
      // A request body arrives a network buffer (a few KiB) per read: the buffer is filled
      // before it is throttled, hashed and written, so a chunk costs a few dozen writes, not
      // hundreds. Bytes read before a failure are still written below.
      int n = 0;
      while (n < want) {
        int r;
        try {
          r = in.read(buf, n, want - n);
        } catch (IOException e) {
          failure = e;
          break;
        }
        if (r < 0) {
          end = true;
          break;
        }
        n += r;
      }
      if (n == 0) {
        break;
      }
      if (done + n > max) {
        overflow = true;
        n = (int) (max - done);
      }
      try {
        throttle.take(n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new InterruptedIOException("interrupted by a newer request");
        break;
      }
      awaitWriting();
      long at = position + done;
      int length = n;
      writing = STAGES.submit(() -> hashAndWrite(buf, length, at));
      done += n;
      if (overflow) {
        break;
      }
    }
    awaitWriting();
    if (Thread.interrupted()) {
      // the channel must not be closed by the interrupt before the sync below
      failure = failure == null ? new InterruptedIOException("interrupted") : failure;
    }
    writeback.finish();
    return new DataFile.Written(done, overflow, failure);
  }

  private Void hashAndWrite(byte[] buf, int n, long at) throws IOException {
    for (MessageDigest d : digests) {
      d.update(buf, 0, n);
    }
    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
    while (b.hasRemaining()) {
      ch.write(b, at + b.position());
    }
    writeback.wrote(n);
    return null;
  }

  /** Waits for the buffer being written; throws what writing it failed with. */
  private void awaitWriting() throws IOException {
    Future<?> f = writing;
    if (f != null) {
      writing = null;
      Helpers.await(f);
    }
  }
}

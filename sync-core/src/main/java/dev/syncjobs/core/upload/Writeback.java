package dev.syncjobs.core.upload;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Syncs a data file to disk in the background while a request's body still arrives, so the disk
 * writes the first bytes of a chunk while the network brings the rest: the sync that must end the
 * chunk before it is answered then waits only for the last bytes. Without it the kernel starts
 * writing only at that final sync (a few MiB are far below its own writeback threshold), and a
 * client on one connection waits for the network and then for the disk, chunk after chunk.
 *
 * <p>A failed background sync fails {@link #finish}: after Linux reports a write error once, a
 * later {@code fdatasync} of the same pages may succeed although the bytes were lost.
 */
final class Writeback implements AutoCloseable {
  /** Bytes written since the last sync started before another one is started. */
  static final long STEP = 1 << 20;

  private static final ExecutorService SYNCS = Helpers.pool("upload-writeback");

  private final FileChannel ch;
  private long unsynced;
  private Future<?> running;

  Writeback(FileChannel ch) {
    this.ch = ch;
  }

  /** Counts {@code bytes} just written; starts a sync when enough wait and none is running. */
  void wrote(long bytes) throws IOException {
    unsynced += bytes;
    if (unsynced < STEP || (running != null && !running.isDone())) {
      return;
    }
    await();
    unsynced = 0;
    running =
        SYNCS.submit(
            () -> {
              ch.force(false);
              return null;
            });
  }

  /** Waits for the running sync, then syncs everything written; throws what either failed with. */
  void finish() throws IOException {
    await();
    ch.force(false);
  }

  /** Waits for the running sync so the channel is not closed under it. */
  @Override
  public void close() throws IOException {
    await();
  }

  private void await() throws IOException {
    Future<?> f = running;
    if (f != null) {
      running = null;
      Helpers.await(f);
    }
  }
}

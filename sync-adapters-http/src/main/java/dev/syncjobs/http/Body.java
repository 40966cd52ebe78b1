package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A response body read straight from the connection's socket into the caller's buffer (no thread
 * hand-offs, memory bounded by that buffer). A stalled connection fails after the read timeout; a
 * cancelled run closes the connection, which ends a blocked read.
 */
final class Body {
  private final HttpURLConnection conn;
  private final Duration stall;
  private final Runnable release;
  private InputStream in;
  private boolean done;

  Body(HttpURLConnection conn, Duration stall, Runnable release) {
    this.conn = conn;
    this.stall = stall;
    this.release = release;
  }

  /**
   * Reads into {@code buf}; -1 at the end of the body.
   *
   * @throws IOException on a network fault, or when nothing arrived for the stall timeout
   * @throws CancelledException when {@code stopped} says so
   */
  int read(byte[] buf, BooleanSupplier stopped) throws IOException {
    return read(buf, 0, buf.length, stopped);
  }

  /**
   * Reads at most {@code len} bytes into {@code buf} from {@code off}; -1 at the end of the body.
   *
   * @throws IOException on a network fault, or when nothing arrived for the stall timeout
   * @throws CancelledException when {@code stopped} says so
   */
  int read(byte[] buf, int off, int len, BooleanSupplier stopped) throws IOException {
    if (stopped.getAsBoolean()) {
      abort();
      throw new CancelledException();
    }
    if (done) {
      return -1;
    }
    try {
      if (in == null) {
        in = conn.getInputStream();
      }
      int n = in.read(buf, off, len);
      if (n < 0) {
        finish();
      }
      return n;
    } catch (SocketTimeoutException e) {
      abort();
      throw new IOException("no data for " + stall.toSeconds() + " s (stalled)", e);
    } catch (IOException e) {
      abort();
      if (stopped.getAsBoolean()) {
        throw new CancelledException();
      }
      throw e;
    }
  }

  /** Ends a body read to its end: the connection goes back to the keep-alive pool. */
  void finish() {
    if (!done) {
      done = true;
      try {
        if (in != null) {
          in.close();
        }
      } catch (IOException e) {
        conn.disconnect();
      }
      release.run();
    }
  }

  /** Gives the body up: the connection is closed, never reused. */
  void abort() {
    if (!done) {
      done = true;
      conn.disconnect();
      release.run();
    }
  }
}

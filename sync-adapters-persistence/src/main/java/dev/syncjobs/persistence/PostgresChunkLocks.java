package dev.syncjobs.persistence;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.port.ChunkLocks;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChunkLocks} across the instances of a cluster: a request first takes the chunk's lock in
 * this process (the given in-process locks, which interrupt an older request here), then a
 * PostgreSQL session advisory lock on the chunk, held on one connection of this instance for as
 * long as it writes. When another instance holds it, the request NOTIFYs the holder to let go (the
 * holder's listener interrupts its request, which records nothing and releases) and tries again
 * until the wait runs out; then it gives up (409) rather than write beside a holder that may still
 * be writing. A holder that crashed holds nothing: PostgreSQL drops a session's locks with it.
 *
 * <p>Should the lock connection break, PostgreSQL has dropped this instance's locks: every request
 * holding one is superseded at once (it stops at its next buffer and records nothing), and a ping
 * every second while locks are held finds a silent break. The next request opens a new connection.
 */
public final class PostgresChunkLocks implements ChunkLocks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresChunkLocks.class);
  private static final String APPLICATION_NAME = "syncjobs-upload-locks";
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long RENOTIFY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private record Key(UploadId upload, long chunk) {}

  private final Database db;
  private final ChunkLocks local;
  private final Duration wait;
  private final String channel;
  private final String origin = UUID.randomUUID().toString();
  private final long schemaHash;
  private final Map<Key, ClusterHeld> held = new ConcurrentHashMap<>();
  private final Object connectionLock = new Object();
  private Connection lockConnection;
  private volatile boolean closed;
  private PostgresListener requests;
  private Thread watchdog;

  private PostgresChunkLocks(Database db, ChunkLocks inProcess, Duration wait) {
    if (!db.isPostgres()) {
      throw new IllegalArgumentException("advisory locks need PostgreSQL");
    }
    this.db = db;
    this.wait = wait;
    this.local = inProcess;
    this.channel = db.channel("upload_locks");
    this.schemaHash = fnv(db.schema());
  }

  /**
   * Starts listening for release requests and returns once subscribed.
   *
   * @param inProcess the locks among this process's requests, taken first
   * @param wait how long a newer request waits for a holder on another instance to let go
   * @throws SyncException when the database cannot be reached within 30 seconds
   */
  public static PostgresChunkLocks start(Database db, ChunkLocks inProcess, Duration wait) {
    PostgresChunkLocks locks = new PostgresChunkLocks(db, inProcess, wait);
    // a request missed while the listener reconnects is sent again: a waiting request renotifies
    locks.requests =
        PostgresListener.start(
            db,
            "upload-lock-requests",
            List.of(locks.channel),
            notes -> {
              for (PGNotification note : notes) {
                locks.dispatch(note.getParameter());
              }
            },
            () -> {});
    locks.watchdog = daemon(locks::watch, "syncjobs-upload-lock-watchdog");
    return locks;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public Held acquire(UploadId upload, long chunk) {
    Held inProcess = local.acquire(upload, chunk);
    Key key = new Key(upload, chunk);
    long lockId = lockId(upload, chunk);
    boolean ok = false;
    try {
      long start = System.nanoTime();
      long lastNotify = 0;
      boolean notified = false;
      Connection on;
      while ((on = tryLock(lockId)) == null) {
        if (inProcess.superseded() || Thread.interrupted()) {
          throw new ConflictException(
              "chunk_number", "a newer request for this chunk took over; this one stored nothing");
        }
        long now = System.nanoTime();
        if (now - start > wait.toNanos()) {
          throw new ConflictException(
              "chunk_number",
              "another instance is still writing this chunk and did not let go; try again");
        }
        if (!notified || now - lastNotify > RENOTIFY_NANOS) {
          notifyOthers(key);
          notified = true;
          lastNotify = now;
        }
        LockSupport.parkNanos(RETRY_NANOS);
      }
      ClusterHeld h = new ClusterHeld(key, lockId, inProcess, on);
      held.put(key, h);
      synchronized (connectionLock) {
        if (on != lockConnection) {
          h.lost = true; // the connection broke right after the lock was taken
        }
      }
      ok = true;
      return h;
    } finally {
      if (!ok) {
        inProcess.close();
      }
    }
  }

  private final class ClusterHeld implements Held {
    private final Key key;
    private final long lockId;
    private final Held inProcess;
    private final Connection connection;
    volatile boolean lost;

    ClusterHeld(Key key, long lockId, Held inProcess, Connection connection) {
      this.key = key;
      this.lockId = lockId;
      this.inProcess = inProcess;
      this.connection = connection;
    }

    @Override
    public boolean superseded() {
      return lost || inProcess.superseded();
    }

    void lose() {
      lost = true;
    }

    @Override
    public void close() {
      held.remove(key, this);
      try {
        if (!lost) {
          unlock(connection, lockId);
        }
      } finally {
        inProcess.close();
      }
    }
  }

  /**
   * The advisory lock's key: this schema's uploads, the upload and the chunk, hashed to 64 bits.
   */
  long lockId(UploadId upload, long chunk) {
    long h = schemaHash;
    h = mix(h ^ upload.value().getMostSignificantBits());
    h = mix(h ^ upload.value().getLeastSignificantBits());
    return mix(h ^ chunk);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ b) * 0x100000001b3L;
    }
    return h;
  }

  /** The connection that now holds the advisory lock, or null when another session holds it. */
  private Connection tryLock(long lockId) {
    synchronized (connectionLock) {
      try {
        Connection c = connection();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
          ps.setLong(1, lockId);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1) ? c : null;
          }
        }
      } catch (SQLException e) {
        connectionBroke(e);
        throw new SyncException("cannot take the chunk's lock: " + e.getMessage(), e);
      }
    }
  }

  private void unlock(Connection c, long lockId) {
    synchronized (connectionLock) {
      if (c == null || c != lockConnection) {
        return; // that connection is gone, and its locks with it
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        ps.setLong(1, lockId);
        ps.execute();
      } catch (SQLException e) {
        connectionBroke(e);
      }
    }
  }

  @Override
  public void requestRelease(UploadId upload, long chunk) {
    local.requestRelease(upload, chunk);
    notifyOthers(new Key(upload, chunk));
  }

  private void notifyOthers(Key key) {
    synchronized (connectionLock) {
      try (PreparedStatement ps = connection().prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, channel);
        ps.setString(2, origin + " " + key.upload().value() + " " + key.chunk());
        ps.execute();
      } catch (SQLException e) {
        connectionBroke(e);
        throw new SyncException("cannot ask for the chunk's lock: " + e.getMessage(), e);
      }
    }
  }

  /** The lock connection, opened when there is none; callers hold {@code connectionLock}. */
  private Connection connection() throws SQLException {
    if (closed) {
      throw new SQLException("the upload locks are closed");
    }
    if (lockConnection == null) {
      Connection c = db.listenConnection(APPLICATION_NAME);
      c.setAutoCommit(true);
      lockConnection = c;
    }
    return lockConnection;
  }

  /**
   * The lock connection failed: its session's locks are gone, so every holder here lost its own.
   */
  private void connectionBroke(SQLException e) {
    synchronized (connectionLock) {
      if (lockConnection == null) {
        return;
      }
      log.warn("upload lock connection lost: {}", e.getMessage());
      try {
        lockConnection.close();
      } catch (SQLException ignored) {
        // it is broken anyway
      }
      lockConnection = null;
    }
    held.values().forEach(ClusterHeld::lose);
  }

  private void watch() {
    while (!closed) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      if (held.isEmpty()) {
        continue;
      }
      synchronized (connectionLock) {
        Connection c = lockConnection;
        if (c == null) {
          continue;
        }
        try (Statement s = c.createStatement()) {
          s.setQueryTimeout(5);
          s.execute("SELECT 1");
        } catch (SQLException e) {
          connectionBroke(e);
        }
      }
    }
  }

  /** A release request of another instance: the request here that holds the chunk lets go. */
  private void dispatch(String payload) {
    String[] parts = payload.split(" ");
    if (parts.length != 3 || parts[0].equals(origin)) {
      return;
    }
    try {
      local.requestRelease(new UploadId(UUID.fromString(parts[1])), Long.parseLong(parts[2]));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring a malformed upload lock request: {}", payload);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (watchdog != null) {
      watchdog.interrupt();
    }
    if (requests != null) {
      requests.close();
    }
    synchronized (connectionLock) {
      if (lockConnection != null) {
        try {
          lockConnection.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
        lockConnection = null;
      }
    }
  }
}

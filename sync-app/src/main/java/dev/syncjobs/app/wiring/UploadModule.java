package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.InMemoryChunkLocks;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.port.ChunkLocks;
import dev.syncjobs.core.throttle.Throttle;
import dev.syncjobs.core.upload.UploadThrottle;
import dev.syncjobs.core.upload.Uploads;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.JdbcUploadRepository;
import dev.syncjobs.persistence.PostgresChunkLocks;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.UUID;

/** The upload store: its repository on the server's database and the core service over it. */
@Module
final class UploadModule {
  private UploadModule() {}

  /**
   * The pace of upload bytes on this instance: the instance's upload bucket, which follows the
   * shared bandwidth settings and their time window. A request interrupted while it waits (a newer
   * one took its chunk) stops waiting.
   */
  @Provides
  @Singleton
  static UploadThrottle uploadThrottle(SyncRuntime runtime) {
    Throttle bucket = runtime.bandwidth().uploadThrottle();
    return bytes -> {
      try {
        bucket.acquire(bytes, () -> Thread.currentThread().isInterrupted());
      } catch (CancelledException e) {
        throw new InterruptedException("upload stopped while it waited for bandwidth");
      }
    };
  }

  /**
   * One writer per chunk: across the instances on PostgreSQL (cluster mode: the data files lie on a
   * shared backend), within this process on SQLite, which only one process may open.
   */
  @Provides
  @Singleton
  static ChunkLocks chunkLocks(Database db) {
    InMemoryChunkLocks inProcess = new InMemoryChunkLocks(InMemoryChunkLocks.DEFAULT_WAIT);
    return db.isPostgres()
        ? PostgresChunkLocks.start(db, inProcess, InMemoryChunkLocks.DEFAULT_WAIT)
        : inProcess;
  }

  @Provides
  @Singleton
  static Uploads uploads(
      ServerConfig config,
      Database db,
      SyncRuntime runtime,
      @Named("engine") Clock clock,
      UploadThrottle throttle,
      ChunkLocks locks) {
    return new Uploads(
        new JdbcUploadRepository(db),
        runtime.engine().backends(),
        clock,
        new Uploads.Settings(config.uploadExpiry(), config.maxConcurrentUploads()),
        throttle,
        UUID::randomUUID,
        locks);
  }
}

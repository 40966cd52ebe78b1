package dev.syncjobs.persistence;

import dev.syncjobs.core.port.AuditLogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The audit log contract against a real SQLite file (a new one per test). */
class SqliteAuditLogContractTest extends AuditLogContract {
  @TempDir Path dir;
  private Database db;

  @Override
  protected Store openEmptyStore() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
    byte[] key = Database.newSecretKey();
    return new Store(
        new JdbcAuditLog(db),
        new JdbcJobRepository(db, key),
        new JdbcRunRepository(db, key),
        new JdbcSettingsRepository(db));
  }

  @AfterEach
  void close() {
    db.close();
  }
}

package dev.syncjobs.persistence;

import dev.syncjobs.core.port.SettingsRepositoryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The settings contract against a real SQLite file (a new one per test). */
class SqliteSettingsRepositoryContractTest extends SettingsRepositoryContract {
  @TempDir Path dir;
  private Database db;

  @Override
  protected Store openEmptyStore() {
    db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
    return new Store(
        new JdbcSettingsRepository(db), new JdbcJobRepository(db, Database.newSecretKey()));
  }

  @AfterEach
  void close() {
    db.close();
  }
}

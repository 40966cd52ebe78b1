package dev.syncjobs.persistence;

import dev.syncjobs.core.port.SettingsRepositoryContract;
import org.junit.jupiter.api.AfterEach;

/** The settings contract against a real PostgreSQL, in a schema of its own per test. */
class PostgresSettingsRepositoryContractTest extends SettingsRepositoryContract {
  private String schema;
  private Database db;

  @Override
  protected Store openEmptyStore() {
    schema = PostgresTestSupport.createSchema("settings");
    db = PostgresTestSupport.open(schema, 10);
    return new Store(
        new JdbcSettingsRepository(db), new JdbcJobRepository(db, Database.newSecretKey()));
  }

  @AfterEach
  void drop() {
    if (db != null) {
      db.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }
}

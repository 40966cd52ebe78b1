package dev.syncjobs.persistence;

import dev.syncjobs.core.port.AuditLogContract;
import org.junit.jupiter.api.AfterEach;

/** The audit log contract against a real PostgreSQL, in a schema of its own per test. */
class PostgresAuditLogContractTest extends AuditLogContract {
  private String schema;
  private Database db;

  @Override
  protected Store openEmptyStore() {
    schema = PostgresTestSupport.createSchema("audit");
    db = PostgresTestSupport.open(schema, 10);
    byte[] key = Database.newSecretKey();
    return new Store(
        new JdbcAuditLog(db),
        new JdbcJobRepository(db, key),
        new JdbcRunRepository(db, key),
        new JdbcSettingsRepository(db));
  }

  @AfterEach
  void drop() {
    if (db != null) {
      db.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }
}

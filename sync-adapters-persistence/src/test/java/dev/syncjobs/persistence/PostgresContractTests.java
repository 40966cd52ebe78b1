package dev.syncjobs.persistence;

import dev.syncjobs.core.port.JobRepositoryContract;
import dev.syncjobs.core.port.PortsUnderTest;
import dev.syncjobs.core.port.RunLogContract;
import dev.syncjobs.core.port.RunRepositoryContract;
import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.port.UploadRepositoryContract;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The port contracts against a real PostgreSQL: one schema for this class, emptied before each
 * test, one pool per log cap.
 */
class PostgresContractTests {
  private static String schema;
  private static Database db;
  private static final Map<Long, JdbcRunLog> logs = new HashMap<>();
  private static final byte[] KEY = Database.newSecretKey();

  @BeforeAll
  static void createSchema() {
    schema = PostgresTestSupport.createSchema("contract");
    db = PostgresTestSupport.open(schema, 24);
  }

  @AfterAll
  static void dropSchema() {
    if (db != null) {
      db.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  static PortsUnderTest open(long runLogMaxBytes) {
    PostgresTestSupport.truncate(schema);
    return new PortsUnderTest(
        new JdbcJobRepository(db, KEY),
        new JdbcRunRepository(db, KEY),
        logs.computeIfAbsent(runLogMaxBytes, cap -> new JdbcRunLog(db, cap)));
  }

  @Nested
  class Jobs extends JobRepositoryContract {
    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(runLogMaxBytes);
    }
  }

  @Nested
  class Runs extends RunRepositoryContract {
    @Override
    protected boolean claimReadsJobs() {
      return true;
    }

    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(runLogMaxBytes);
    }
  }

  @Nested
  class Logs extends RunLogContract {
    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(runLogMaxBytes);
    }
  }

  @Nested
  class Uploads extends UploadRepositoryContract {
    @Override
    protected UploadRepository openEmptyStore() {
      PostgresTestSupport.truncate(schema);
      return new JdbcUploadRepository(db);
    }
  }
}

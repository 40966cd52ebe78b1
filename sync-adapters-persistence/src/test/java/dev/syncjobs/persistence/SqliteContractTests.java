package dev.syncjobs.persistence;

import dev.syncjobs.core.port.JobRepositoryContract;
import dev.syncjobs.core.port.PortsUnderTest;
import dev.syncjobs.core.port.RunLogContract;
import dev.syncjobs.core.port.RunRepositoryContract;
import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.port.UploadRepositoryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The port contracts against a real SQLite file (a new one per test). */
class SqliteContractTests {

  static PortsUnderTest open(Path dir, long runLogMaxBytes, Database[] holder) {
    Database db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
    holder[0] = db;
    byte[] key = Database.newSecretKey();
    return new PortsUnderTest(
        new JdbcJobRepository(db, key),
        new JdbcRunRepository(db, key),
        new JdbcRunLog(db, runLogMaxBytes));
  }

  @Nested
  class Jobs extends JobRepositoryContract {
    @TempDir Path dir;
    final Database[] db = new Database[1];

    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(dir, runLogMaxBytes, db);
    }

    @AfterEach
    void close() {
      db[0].close();
    }
  }

  @Nested
  class Runs extends RunRepositoryContract {
    @TempDir Path dir;
    final Database[] db = new Database[1];

    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(dir, runLogMaxBytes, db);
    }

    @AfterEach
    void close() {
      db[0].close();
    }
  }

  @Nested
  class Logs extends RunLogContract {
    @TempDir Path dir;
    final Database[] db = new Database[1];

    @Override
    protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
      return open(dir, runLogMaxBytes, db);
    }

    @AfterEach
    void close() {
      db[0].close();
    }
  }

  @Nested
  class Uploads extends UploadRepositoryContract {
    @TempDir Path dir;
    Database db;

    @Override
    protected UploadRepository openEmptyStore() {
      db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
      return new JdbcUploadRepository(db);
    }

    @AfterEach
    void close() {
      db.close();
    }
  }
}

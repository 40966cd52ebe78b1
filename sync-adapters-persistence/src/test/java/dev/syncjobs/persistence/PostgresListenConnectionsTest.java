package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Connections opened ahead on a real PostgreSQL: taken ready, named, and closed when not taken. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresListenConnectionsTest {
  private String schema;

  @BeforeAll
  void createSchema() {
    schema = PostgresTestSupport.createSchema("listen_conns");
  }

  @AfterAll
  void dropSchema() {
    PostgresTestSupport.dropSchema(schema);
  }

  @Test
  void connections_opened_ahead_are_taken_under_the_asked_name_and_the_rest_closed()
      throws Exception {
    ListenConnections connections =
        new ListenConnections(
            new Database.Settings(
                PostgresTestSupport.url(schema),
                PostgresTestSupport.USER,
                PostgresTestSupport.PASSWORD,
                2),
            null);
    List<Connection> taken = new ArrayList<>();
    try {
      connections.openAhead(2);
      Await.until(
          "two connections opened ahead", Duration.ofSeconds(10), () -> connections.ready() == 2);

      taken.add(connections.take(PostgresListener.APPLICATION_NAME));
      taken.add(connections.take("syncjobs-upload-locks"));
      assertThat(connections.ready()).isZero();
      assertThat(applicationName(taken.get(0))).isEqualTo(PostgresListener.APPLICATION_NAME);
      assertThat(applicationName(taken.get(1))).isEqualTo("syncjobs-upload-locks");
      assertThat(taken.get(1).getAutoCommit()).isTrue();

      // none ahead any more: a request opens its own
      taken.add(connections.take("syncjobs-migrations"));
      assertThat(applicationName(taken.get(2))).isEqualTo("syncjobs-migrations");

      connections.openAhead(1);
      Await.until("one more opened ahead", Duration.ofSeconds(10), () -> connections.ready() == 1);
    } finally {
      connections.close();
    }
    assertThat(connections.ready()).isZero();
    for (Connection c : taken) {
      assertThat(c.isValid(2)).as("a taken connection stays the taker's").isTrue();
      c.close();
    }
  }

  @Test
  void a_database_opened_from_a_url_opens_listen_connections_ahead_only_on_request()
      throws Exception {
    try (Database db = PostgresTestSupport.open(schema, 2)) {
      db.openListenConnectionsAhead(1);
      try (Connection c = db.listenConnection("syncjobs-listener")) {
        assertThat(applicationName(c)).isEqualTo("syncjobs-listener");
      }
    }
  }

  private static String applicationName(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW application_name")) {
      rs.next();
      return rs.getString(1);
    }
  }
}

package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.RunRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plans of the two statements every run goes through on PostgreSQL, in the state a burst
 * leaves: statistics taken when no run was pending or running, then thousands of runs claimed and
 * completed since (dead entries in the partial indexes on {@code runs.status}, autovacuum not yet
 * there). Both must find the runs they change by primary key; a plan that reads a partial index
 * instead reads every dead entry in it, once per claim or completion.
 */
class PostgresPlansTest {
  private static final int JOBS = 1_000;

  private String schema;
  private Database db;
  private JdbcRunRepository runs;
  private final List<JobId> jobIds = new ArrayList<>();
  private Instant now;

  @BeforeEach
  void burst() throws SQLException {
    schema = PostgresTestSupport.createSchema("plans");
    db = PostgresTestSupport.open(schema, 4);
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      // Nothing may clean up or re-analyse behind the test's back.
      st.execute("ALTER TABLE runs SET (autovacuum_enabled = false)");
    }
    JdbcJobRepository jobs = new JdbcJobRepository(db, null);
    now = db.clock().instant();
    for (int i = 0; i < JOBS; i++) {
      JobId id = new JobId(UUID.randomUUID());
      jobIds.add(id);
      jobs.create(
          Job.builder(
                  id,
                  "plan-" + i,
                  Source.parse("https://example.org/" + i + "/"),
                  new Destination("default", "plan/" + i))
              .schedule(new Schedule.Cron("0 3 * * *"))
              .createdAt(now)
              .build());
    }
    runs = new JdbcRunRepository(db);
    // A first round of runs, all finished, then statistics: none pending, none running.
    runAll(JOBS);
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE runs");
    }
    // The burst: every job runs again; all but the last few end.
    runAll(JOBS - 10);
  }

  @AfterEach
  void drop() {
    // Without a server the assumption in open() stops before anything exists to close.
    if (db != null) {
      db.close();
      PostgresTestSupport.dropSchema(schema);
    }
  }

  /** Inserts a run per job, claims them all, and completes all but the last {@code ended}. */
  private void runAll(int ended) {
    for (JobId job : jobIds) {
      runs.insert(Run.pending(new RunId(UUID.randomUUID()), job, Trigger.MANUAL, null, now, 0));
    }
    List<Run> claimed = new ArrayList<>();
    List<Run> batch;
    while (!(batch =
            runs.claim("test", now, now.plus(Duration.ofMinutes(5)), 100).stream()
                .map(RunRepository.Claimed::run)
                .toList())
        .isEmpty()) {
      claimed.addAll(batch);
    }
    assertThat(claimed).hasSize(JOBS);
    RunOutcome done = new RunOutcome(RunStatus.SUCCESS, Progress.NONE, null, null);
    for (Run r : claimed.subList(0, ended)) {
      assertThat(runs.complete(r.id(), r.fence(), done, now)).isTrue();
    }
  }

  @Test
  void a_completion_finds_its_runs_by_primary_key() throws SQLException {
    List<Run> running = runs.active();
    assertThat(running).hasSize(10);
    String plan;
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("EXPLAIN " + db.tables().sql(PostgresRunStatements.COMPLETE))) {
      int n = running.size();
      Object[] ids = running.stream().map(r -> r.id().value()).toArray();
      Object[] fences = running.stream().map(Run::fence).toArray();
      Object[] texts = new Object[n];
      java.util.Arrays.fill(texts, "SUCCESS");
      Object[] numbers = new Object[n];
      java.util.Arrays.fill(numbers, 0L);
      Object[] ends = new Object[n];
      java.util.Arrays.fill(ends, now.toString());
      int i = 1;
      ps.setArray(i++, c.createArrayOf("uuid", ids));
      ps.setArray(i++, c.createArrayOf("bigint", fences));
      ps.setArray(i++, c.createArrayOf("text", texts));
      ps.setArray(i++, c.createArrayOf("text", texts));
      for (int k = 0; k < 6; k++) {
        ps.setArray(i++, c.createArrayOf(k == 4 ? "text" : "bigint", k == 4 ? texts : numbers));
      }
      ps.setArray(i++, c.createArrayOf("text", new Object[n]));
      ps.setArray(i++, c.createArrayOf("text", new Object[n]));
      ps.setArray(i++, c.createArrayOf("text", ends));
      ps.setArray(i, c.createArrayOf("bigint", numbers));
      plan = text(ps);
    }
    assertThat(plan).contains("runs_pkey").doesNotContain("runs_leases");
  }

  @Test
  void a_claim_changes_the_runs_it_picked_by_primary_key() throws SQLException {
    pendingRunsForTheEndedJobs();
    String plan;
    try (Connection c = db.dataSource().getConnection()) {
      plan = explainClaim(c);
    }
    // runs_claimable picks the oldest pending runs; the update then goes by primary key.
    String pick = plan.substring(0, plan.indexOf("Update on runs"));
    assertThat(pick).contains("runs_claimable");
    String update = plan.substring(plan.indexOf("Update on runs"));
    assertThat(update).contains("runs_pkey");
  }

  /**
   * PostgreSQL keeps a prepared statement's generic plan once it costs no more than the plans made
   * for each call's values. With the claim's limit bound as a parameter, that plan guessed a tenth
   * of the pending runs, read the runs table whole when the statistics knew of many, and so lost to
   * a fresh plan at every claim. With the limit written into the statement, the generic plan reads
   * runs_claimable for the few runs it wants and changes them by primary key.
   */
  @Test
  void the_claims_generic_plan_is_the_one_for_its_own_limit() throws SQLException {
    pendingRunsForTheEndedJobs();
    String sql =
        db.tables().sql(RunStatements.withLimit(PostgresRunStatements.CLAIM_MARK_AND_READ, 3));
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : sql.toCharArray()) {
      numbered.append(ch == '?' ? "$" + ++n : String.valueOf(ch));
    }
    String plan;
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("ANALYZE runs");
      st.execute("SET plan_cache_mode = force_generic_plan");
      try {
        st.execute(
            "PREPARE claim_generic (timestamptz, text, timestamptz, timestamptz, timestamptz) AS "
                + numbered);
        try (PreparedStatement explain =
            c.prepareStatement(
                "EXPLAIN EXECUTE claim_generic (now(), 'test', now(), now(), now())")) {
          plan = text(explain);
        }
        st.execute("DEALLOCATE claim_generic");
      } finally {
        st.execute("RESET plan_cache_mode");
      }
    }
    assertThat(n).isEqualTo(5);
    String pick = plan.substring(0, plan.indexOf("Update on runs"));
    assertThat(pick).contains("runs_claimable");
    String update = plan.substring(plan.indexOf("Update on runs"), plan.indexOf("Update on jobs"));
    assertThat(update).contains("runs_pkey").doesNotContain("Seq Scan");
  }

  /**
   * The claim never reads the index of active runs, whatever the statistics say. Taken while
   * nothing was pending or running, they make that index look empty, and in a 20,000-run burst the
   * claim read and sorted all its entries (4,460 at one claim, 11 ms) instead of reading
   * runs_claimable in order. Without runs_claimable (dropped in a transaction that is rolled back),
   * the only other index a pick could use is that one: the plan must not.
   */
  @Test
  void a_claim_never_picks_from_the_index_of_active_runs() throws SQLException {
    String plan;
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("DROP INDEX runs_claimable");
      }
      try {
        plan = explainClaim(c);
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    String pick = plan.substring(0, plan.indexOf("Update on runs"));
    assertThat(pick).doesNotContain("runs_one_active_per_job");
  }

  /** Pending runs for the jobs whose run ended, as the scheduler's next firing leaves them. */
  private void pendingRunsForTheEndedJobs() {
    for (JobId job : jobIds) {
      if (runs.findActive(job).isEmpty()) {
        runs.insert(Run.pending(new RunId(UUID.randomUUID()), job, Trigger.SCHEDULE, now, now, 0));
      }
    }
  }

  /** The plan of a claim of up to 10 runs, as the worker's claim statement asks. */
  private String explainClaim(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "EXPLAIN "
                + db.tables()
                    .sql(RunStatements.withLimit(PostgresRunStatements.CLAIM_MARK_AND_READ, 10)))) {
      db.dialect().setInstant(ps, 1, now);
      ps.setString(2, "test");
      db.dialect().setInstant(ps, 3, now.plusSeconds(60));
      db.dialect().setInstant(ps, 4, now);
      db.dialect().setInstant(ps, 5, now);
      return text(ps);
    }
  }

  private static String text(PreparedStatement explain) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = explain.executeQuery()) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}

package dev.syncjobs.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.version.StorageBackends;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.JdbcJobRepository;
import dev.syncjobs.persistence.JdbcRunLog;
import dev.syncjobs.persistence.JdbcRunRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * No-op runs fired, claimed, executed and recorded per second by syncjobs, beside db-scheduler
 * executing the same number of no-op one-time tasks on the same PostgreSQL. Every scenario makes
 * {@code tasks} items due at one instant and waits until all are recorded as done.
 *
 * <p>Throughput = tasks / (last completion - first pick-up); delay = pick-up - due time (syncjobs:
 * the run's creation by the scheduler, i.e. the firing delay; db-scheduler: the start of the
 * execution).
 */
public final class PersistenceBench {
  static final String PG_URL =
      env("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test");
  static final String PG_USER = env("SYNCJOBS_TEST_PG_USER", "syncjobs");
  static final String PG_PASSWORD = env("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs");
  static final int THREADS = 10;

  /**
   * @param fireP99Ms syncjobs: due time to the run's insertion by the scheduler pass (NaN for
   *     db-scheduler, whose tasks are inserted up front)
   */
  record Result(
      String scenario, double perSecond, double p50DelayMs, double p99DelayMs, double fireP99Ms) {}

  /** Runs whose transfer does nothing. */
  static final class NoopTransfer implements Transfer {
    /** Transfers done so far, so waiting for the end costs the database nothing until then. */
    final AtomicInteger transfers = new AtomicInteger();

    @Override
    public boolean supports(Source source) {
      return true;
    }

    @Override
    public TransferReport transfer(TransferRequest request) {
      transfers.incrementAndGet();
      return new TransferReport(0, 0, 0, 0, List.of());
    }

    /** It writes nothing, so it never needs the staging directory (like an unchanged HTTP run). */
    @Override
    public boolean createsStaging() {
      return true;
    }
  }

  /** A named scenario; the name is the one its result carries. */
  private record Scenario(String name, Callable<Result> run) {}

  static String syncjobsName(boolean postgres, int instances, boolean again) {
    return "syncjobs "
        + (postgres ? "PostgreSQL" : "SQLite")
        + " x"
        + instances
        + (again ? ", no change" : ", first version");
  }

  static String dbSchedulerName(int instances) {
    return "db-scheduler PostgreSQL x" + instances;
  }

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    int tasks = Integer.parseInt(args[1]);
    // Optional: only the scenarios whose name this regular expression finds (quicker A/B runs).
    Pattern only = Pattern.compile(args.length > 2 ? args[2] : "");
    System.out.printf(
        "%d tasks per scenario, %d runs, %d worker threads per instance, %d cores%n",
        tasks, runs, THREADS, Runtime.getRuntime().availableProcessors());
    Map<String, List<Result>> all = new TreeMap<>();
    List<Scenario> scenarios = new ArrayList<>();
    for (boolean again : new boolean[] {false, true}) {
      for (boolean pg : new boolean[] {false, true}) {
        for (int n : pg ? new int[] {1, 3} : new int[] {1}) {
          Callable<Result> run = () -> syncjobs(pg, n, tasks, again);
          scenarios.add(new Scenario(syncjobsName(pg, n, again), run));
        }
      }
    }
    scenarios.add(new Scenario(dbSchedulerName(1), () -> dbScheduler(1, tasks)));
    scenarios.add(new Scenario(dbSchedulerName(3), () -> dbScheduler(3, tasks)));
    for (int r = 1; r <= runs; r++) {
      for (Scenario scenario : scenarios) {
        if (!only.matcher(scenario.name()).find()) {
          continue;
        }
        Result res = scenario.run().call();
        System.out.printf(
            "run %d  %-28s %8.0f /s   start delay p50 %7.0f ms  p99 %7.0f ms   fire p99 %5.0f ms%n",
            r, res.scenario(), res.perSecond(), res.p50DelayMs(), res.p99DelayMs(), res.fireP99Ms());
        all.computeIfAbsent(res.scenario(), k -> new ArrayList<>()).add(res);
      }
    }
    System.out.println();
    System.out.println(
        "| scenario | runs or executions per second | start delay p50 | start delay p99 |"
            + " firing delay p99 |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (var e : all.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %.0f ms | %.0f ms | %s |%n",
          e.getKey(),
          median(e.getValue().stream().map(Result::perSecond).toList()),
          median(e.getValue().stream().map(Result::p50DelayMs).toList()),
          median(e.getValue().stream().map(Result::p99DelayMs).toList()),
          e.getKey().startsWith("syncjobs")
              ? String.format(
                  Locale.ROOT,
                  "%.0f ms",
                  median(e.getValue().stream().map(Result::fireP99Ms).toList()))
              : "n/a");
    }
  }

  /**
   * Lets the previous scenario's file-system work (deleting its 1,000 storage trees, PostgreSQL's
   * writes) reach the disk before the next scenario starts, so no scenario pays for another's.
   */
  static void settle() throws Exception {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
    Thread.sleep(1000);
  }

  static Result syncjobs(boolean postgres, int instances, int tasks, boolean again)
      throws Exception {
    return syncjobs(postgres, instances, tasks, again ? 1 : 0);
  }

  /**
   * @param earlier passes before the measured one: with none, each measured run is its job's first
   *     and publishes an empty version; otherwise each finds the version its job's first run
   *     published unchanged and publishes nothing (the steady state of a mirror)
   */
  static Result syncjobs(boolean postgres, int instances, int tasks, int earlier)
      throws Exception {
    boolean again = earlier > 0;
    settle();
    Path dir = Files.createTempDirectory("syncjobs-bench");
    Path storage = dir.resolve("storage");
    StorageBackends.initialiseOwnRoot(new StorageBackend("default", storage));
    String schema = postgres ? createSchema() : null;
    List<Database> dbs = new ArrayList<>();
    List<SyncRuntime> runtimes = new ArrayList<>();
    NoopTransfer transfer = new NoopTransfer();
    try {
      for (int i = 0; i < instances; i++) {
        dbs.add(
            postgres
                ? Database.open(
                    new Database.Settings(
                        PG_URL + "?currentSchema=" + schema, PG_USER, PG_PASSWORD, THREADS + 4))
                : Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db")));
      }
      Database first = dbs.get(0);
      JdbcJobRepository jobs = new JdbcJobRepository(first, null);
      Instant created = first.clock().instant();
      for (int i = 0; i < tasks; i++) {
        jobs.create(
            Job.builder(
                    new JobId(UUID.randomUUID()),
                    "bench-" + i,
                    Source.parse("https://noop.invalid/data/"),
                    new Destination("default", "bench/" + i))
                .schedule(new Schedule.Cron("0 0 1 1 *"))
                .createdAt(created)
                .build()
                .withNextRunAt(created.plus(Duration.ofDays(300))));
      }
      for (int i = 0; i < instances; i++) {
        Database db = dbs.get(i);
        JdbcJobRepository instanceJobs = new JdbcJobRepository(db, null);
        runtimes.add(
            SyncRuntime.builder()
                .repositories(instanceJobs, new JdbcRunRepository(db, (byte[]) null))
                .runLog(new JdbcRunLog(db))
                .backend(new StorageBackend("default", storage))
                .transfer(transfer)
                .clock(db.clock())
                .workerSettings(
                    new RunWorker.Settings(
                        "bench-" + i,
                        THREADS,
                        Duration.ofSeconds(30),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(30)))
                .build()
                .start());
      }
      for (int pass = 1; pass <= earlier; pass++) {
        fireAllAndWait(first, postgres, pass * tasks, transfer.transfers);
        settle();
      }
      if (postgres) {
        analyze(first.dataSource(), "jobs, runs, run_logs, run_log_lines");
      }
      Cpu cpu = Cpu.now();
      fireAllAndWait(first, postgres, (earlier + 1) * tasks, transfer.transfers);
      Cpu spent = cpu.since();
      List<Instant[]> rows = new ArrayList<>();
      JdbcRunRepository runs = new JdbcRunRepository(first);
      for (Job job : jobs.list()) {
        var run = runs.history(job.id(), 1, 0).get(0);
        rows.add(
            new Instant[] {run.scheduledFor(), run.createdAt(), run.startedAt(), run.completedAt()});
      }
      Instant firstPick = rows.stream().map(r -> r[2]).min(Comparator.naturalOrder()).get();
      Instant lastDone = rows.stream().map(r -> r[3]).max(Comparator.naturalOrder()).get();
      double busyMs =
          rows.stream().mapToDouble(r -> Duration.between(r[2], r[3]).toNanos() / 1e6).sum();
      double wallMs = Duration.between(firstPick, lastDone).toNanos() / 1e6;
      String name = syncjobsName(postgres, instances, again);
      System.out.printf(
          Locale.ROOT,
          "      %s: mean run %.1f ms (claim to completion), %.1f runs in flight on"
              + " average; %s%n",
          name,
          busyMs / rows.size(),
          busyMs / wallMs,
          spent.perItem(tasks, wallMs / 1000));
      List<Double> fire =
          rows.stream().map(r -> Duration.between(r[0], r[1]).toNanos() / 1e6).sorted().toList();
      List<Double> start =
          rows.stream().map(r -> Duration.between(r[0], r[2]).toNanos() / 1e6).sorted().toList();
      // Where the start delay goes: before the run existed (firing) or after (waiting for a slot).
      List<Double> queued =
          rows.stream().map(r -> Duration.between(r[1], r[2]).toNanos() / 1e6).sorted().toList();
      Instant lastFired = rows.stream().map(r -> r[1]).max(Comparator.naturalOrder()).get();
      System.out.printf(
          Locale.ROOT,
          "      %s: fired to claimed p50 %.0f ms, p99 %.0f ms; the last run was fired %.0f ms"
              + " after the first pick-up, the last completion %.0f ms after it%n",
          name,
          percentile(queued, 50),
          percentile(queued, 99),
          Duration.between(firstPick, lastFired).toNanos() / 1e6,
          wallMs);
      return new Result(
          name,
          tasks / (Duration.between(firstPick, lastDone).toNanos() / 1e9),
          percentile(start, 50),
          percentile(start, 99),
          percentile(fire, 99));
    } finally {
      runtimes.forEach(SyncRuntime::close);
      dbs.forEach(Database::close);
      if (schema != null) {
        dropSchema(schema);
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Makes every job due one second from now and waits until {@code successes} runs succeeded.
   * Like the db-scheduler scenario, it counts in this JVM first ({@code transfers}) and asks the
   * database only once every transfer has run: a count over the runs table every 50 ms would add
   * its cost to syncjobs's PostgreSQL share.
   */
  static void fireAllAndWait(Database db, boolean postgres, int successes, AtomicInteger transfers)
      throws Exception {
    Instant due = db.clock().instant().plusSeconds(1);
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE jobs SET next_run_at = ?")) {
      if (postgres) {
        ps.setObject(1, java.time.OffsetDateTime.ofInstant(due, java.time.ZoneOffset.UTC));
      } else {
        ps.setLong(1, due.getEpochSecond() * 1_000_000L + due.getNano() / 1000);
      }
      ps.executeUpdate();
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (transfers.get() < successes
        || count(db, "SELECT count(*) FROM runs WHERE status = 'SUCCESS'") < successes) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("syncjobs did not finish in 10 minutes");
      }
      Thread.sleep(50);
    }
  }

  static Result dbScheduler(int instances, int tasks) throws Exception {
    settle();
    String schema = createSchema();
    List<HikariDataSource> pools = new ArrayList<>();
    List<Scheduler> schedulers = new ArrayList<>();
    ConcurrentLinkedQueue<double[]> done = new ConcurrentLinkedQueue<>();
    AtomicInteger count = new AtomicInteger();
    try {
      for (int i = 0; i < instances; i++) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PG_URL + "?currentSchema=" + schema);
        config.setUsername(PG_USER);
        config.setPassword(PG_PASSWORD);
        config.setMaximumPoolSize(THREADS + 4);
        pools.add(new HikariDataSource(config));
      }
      try (Connection c = pools.get(0).getConnection();
          Statement s = c.createStatement()) {
        s.execute(
            "create table scheduled_tasks (task_name text not null, task_instance text not null,"
                + " task_data bytea, execution_time timestamp with time zone not null,"
                + " picked BOOLEAN not null, picked_by text,"
                + " last_success timestamp with time zone, last_failure timestamp with time zone,"
                + " consecutive_failures INT, last_heartbeat timestamp with time zone,"
                + " version BIGINT not null, priority SMALLINT,"
                + " PRIMARY KEY (task_name, task_instance))");
        s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
        s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        s.execute(
            "CREATE INDEX priority_execution_time_idx on scheduled_tasks"
                + " (priority desc, execution_time asc)");
      }
      OneTimeTask<Void> task =
          Tasks.oneTime("noop")
              .execute(
                  (instance, ctx) -> {
                    double due =
                        ctx.getExecution().executionTime.toEpochMilli();
                    double started = System.currentTimeMillis();
                    count.incrementAndGet();
                    done.add(new double[] {due, started, System.currentTimeMillis()});
                  });
      SchedulerClient client = SchedulerClient.Builder.create(pools.get(0), task).build();
      Instant later = Instant.now().plus(Duration.ofDays(300));
      for (int i = 0; i < tasks; i++) {
        client.scheduleIfNotExists(task.instance("t" + i), later);
      }
      for (int i = 0; i < instances; i++) {
        Scheduler s = Scheduler.create(pools.get(i), task).threads(THREADS).build();
        s.start();
        schedulers.add(s);
      }
      analyze(pools.get(0), "scheduled_tasks");
      Cpu cpu = Cpu.now();
      Instant due = Instant.now().plusSeconds(1);
      try (Connection c = pools.get(0).getConnection();
          PreparedStatement ps =
              c.prepareStatement("UPDATE scheduled_tasks SET execution_time = ?")) {
        ps.setTimestamp(1, Timestamp.from(due));
        ps.executeUpdate();
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (count.get() < tasks
          || count(pools.get(0), "SELECT count(*) FROM scheduled_tasks") > 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("db-scheduler did not finish in 10 minutes");
        }
        Thread.sleep(50);
      }
      double endMillis = System.currentTimeMillis();
      Cpu spent = cpu.since();
      double firstStart = done.stream().mapToDouble(d -> d[1]).min().orElseThrow();
      System.out.printf(
          "      db-scheduler x%d: %s%n",
          instances,
          spent.perItem(tasks, (endMillis - firstStart) / 1000));
      List<Double> delays = done.stream().map(d -> d[1] - d[0]).sorted().toList();
      return new Result(
          dbSchedulerName(instances),
          tasks / ((endMillis - firstStart) / 1000.0),
          percentile(delays, 50),
          percentile(delays, 99),
          Double.NaN);
    } finally {
      schedulers.forEach(Scheduler::stop);
      pools.forEach(HikariDataSource::close);
      dropSchema(schema);
    }
  }

  /**
   * Brings the statistics of a scenario's tables up to date before its measured part, as
   * autovacuum keeps them in a running server. Without it, each tool ran on the statistics of the
   * empty tables its scenario began with, for as long as autovacuum (once a minute) had not yet
   * come by, and pgjdbc's server-side statements kept plans made for them: with syncjobs, in about
   * one run in four, a completion planned while the runs table was small scanned all of it.
   */
  static void analyze(javax.sql.DataSource pool, String tables) throws Exception {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE " + tables);
    }
  }

  /** CPU time of this JVM and of the PostgreSQL server's processes (from a starting point). */
  record Cpu(long jvmNanos, long postgresNanos) {
    static Cpu now() {
      return new Cpu(
          ((com.sun.management.OperatingSystemMXBean)
                  java.lang.management.ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime(),
          ProcessHandle.allProcesses()
              .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
              .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
              .sum());
    }

    /** The CPU time spent since this point. */
    Cpu since() {
      Cpu end = now();
      return new Cpu(end.jvmNanos - jvmNanos, end.postgresNanos - postgresNanos);
    }

    /**
     * This CPU time per item, split into this JVM and PostgreSQL, and how many of the machine's
     * cores the two kept busy over the {@code activeSeconds} from the first pick-up to the last
     * completion: near all of them, throughput is bound by CPU per item.
     */
    String perItem(int items, double activeSeconds) {
      return String.format(
          Locale.ROOT,
          "CPU per item %.2f ms in this JVM, %.2f ms in PostgreSQL (all of its processes);"
              + " about %.1f of %d cores busy (that CPU over first pick-up to last completion)",
          jvmNanos / 1e6 / items,
          postgresNanos / 1e6 / items,
          (jvmNanos + postgresNanos) / 1e9 / activeSeconds,
          Runtime.getRuntime().availableProcessors());
    }
  }

  static long count(Database db, String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      return count(c, sql);
    }
  }

  static long count(javax.sql.DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection()) {
      return count(c, sql);
    }
  }

  static long count(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String createSchema() throws Exception {
    String schema = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return schema;
  }

  static void dropSchema(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  static double percentile(List<Double> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}

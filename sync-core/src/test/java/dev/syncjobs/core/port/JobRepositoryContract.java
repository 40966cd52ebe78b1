package dev.syncjobs.core.port;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static dev.syncjobs.core.port.PortsUnderTest.scheduledRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.port.JobRepository.FireResult;
import dev.syncjobs.core.port.JobRepository.Fired;
import dev.syncjobs.core.port.JobRepository.Firing;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobRepository} must do. Subclass it per implementation (db-scheduler's
 * CompatibilityTest pattern) and return a fresh, empty store from {@link #openEmptyStore}.
 */
public abstract class JobRepositoryContract {

  protected JobRepository jobs;
  protected RunRepository runs;

  /** Fresh repositories on one empty store; called before every test. */
  protected abstract PortsUnderTest openEmptyStore(long runLogMaxBytes);

  @BeforeEach
  void openStore() {
    PortsUnderTest ports = openEmptyStore(1_048_576);
    jobs = ports.jobs();
    runs = ports.runs();
  }

  @Test
  void stores_and_finds_a_job_with_every_field() {
    JobId id = new JobId(UUID.randomUUID());
    Job job =
        new Job(
            id,
            "Full-Job-1",
            Source.parse("https://mirror.example.org/pub/data/"),
            new SourceAuth(SourceAuth.Type.BASIC, "alice", "s3cret pass", null, null, null),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            new Destination("archive", "mirrors/full"),
            "*.iso",
            "*.tmp",
            List.of(FilterRule.parse("- /private/"), FilterRule.parse("+ docs/**")),
            new Schedule.Weekly(2, LocalTime.of(4, 30)),
            ZoneId.of("Europe/Berlin"),
            new JobOptions(false, true, false, 20, 5, 1_000_000L, 4),
            false,
            MisfirePolicy.SKIP,
            JobStatus.IDLE,
            null,
            null,
            T0.plusSeconds(3600),
            T0,
            T0.plusMillis(1500));

    jobs.create(job);

    assertThat(jobs.find(id)).contains(job);
  }

  @Test
  void stores_every_kind_of_schedule_and_credential() {
    List<Job> stored = new ArrayList<>();
    Object[][] cases = {
      {new Schedule.Manual(), "https://h.example/a", null},
      {
        new Schedule.Hourly(),
        "https://h.example/b",
        new SourceAuth(SourceAuth.Type.BEARER, null, null, "tok-123", null, null)
      },
      {
        new Schedule.Daily(LocalTime.of(0, 5)),
        "rsync://h.example/mod/c",
        new SourceAuth(SourceAuth.Type.RSYNC, "bob", "", null, null, null)
      },
      {
        new Schedule.Monthly(31, LocalTime.of(23, 59)),
        "ssh://carol@h.example/srv/d",
        new SourceAuth(
            SourceAuth.Type.SSH,
            "carol",
            null,
            null,
            "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----",
            "h.example ssh-ed25519 AAAA")
      },
      {new Schedule.Cron("*/15 2-4 * * 1-5"), "file:///srv/e", null},
    };
    int n = 0;
    for (Object[] c : cases) {
      Job job =
          Job.builder(
                  new JobId(UUID.randomUUID()),
                  "kind-" + n++,
                  Source.parse((String) c[1]),
                  new Destination("default", "k/" + n))
              .schedule((Schedule) c[0])
              .auth((SourceAuth) c[2])
              .createdAt(T0)
              .build();
      jobs.create(job);
      stored.add(job);
    }

    for (Job job : stored) {
      assertThat(jobs.find(job.id())).contains(job);
    }
  }

  @Test
  void finds_several_jobs_at_once_leaving_out_unknown_ids() {
    Job first = job("several-1", null);
    Job second = job("several-2", null);
    Job other = job("several-3", null);
    jobs.create(first);
    jobs.create(second);
    jobs.create(other);
    JobId unknown = new JobId(UUID.randomUUID());

    java.util.Map<JobId, Job> found =
        jobs.findAll(List.of(first.id(), unknown, second.id(), first.id()));

    assertThat(found).containsOnlyKeys(first.id(), second.id());
    assertThat(found.get(first.id())).isEqualTo(jobs.find(first.id()).orElseThrow());
    assertThat(found.get(second.id())).isEqualTo(jobs.find(second.id()).orElseThrow());
    assertThat(jobs.findAll(List.of())).isEmpty();
  }

  @Test
  void finds_nothing_for_an_unknown_id() {
    assertThat(jobs.find(new JobId(UUID.randomUUID()))).isEmpty();
  }

  @Test
  void refuses_a_second_job_with_the_same_name_ignoring_case() {
    jobs.create(job("nightly-mirror", null));

    assertThatThrownBy(() -> jobs.create(job("NIGHTLY-Mirror", null)))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.field()).isEqualTo("name"));
    assertThat(jobs.list()).hasSize(1);
  }

  @Test
  void update_replaces_the_configuration_and_keeps_the_status_fields() {
    Job job = job("to-update", T0);
    jobs.create(job);
    runs.insert(manualRun(job.id(), T0));
    Run claimed = runs.claim("node-a", T0, T0.plusSeconds(30), 1).get(0).run();
    runs.complete(
        claimed.id(),
        claimed.fence(),
        new RunOutcome(RunStatus.FAILED, Progress.NONE, "disk full", null),
        T0.plusSeconds(5));
    Job changed =
        Job.builder(
                job.id(),
                "renamed-job",
                Source.parse("rsync://other.example/mod/x"),
                new Destination("default", "elsewhere"))
            .schedule(new Schedule.Hourly())
            .options(JobOptions.DEFAULTS.withKeepVersions(7))
            .createdAt(T0)
            .build()
            .withNextRunAt(T0.plusSeconds(7200));

    jobs.update(changed);

    Job found = jobs.find(job.id()).orElseThrow();
    assertThat(found.name()).isEqualTo("renamed-job");
    assertThat(found.source()).isEqualTo(changed.source());
    assertThat(found.schedule()).isEqualTo(new Schedule.Hourly());
    assertThat(found.options().keepVersions()).isEqualTo(7);
    assertThat(found.nextRunAt()).isEqualTo(T0.plusSeconds(7200));
    assertThat(found.status()).isEqualTo(JobStatus.FAILED);
    assertThat(found.lastRunAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(found.lastError()).isEqualTo("disk full");
  }

  @Test
  void update_of_a_missing_job_is_not_found() {
    assertThatThrownBy(() -> jobs.update(job("never-created", null)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void update_to_a_name_another_job_has_conflicts() {
    jobs.create(job("first-job", null));
    Job second = job("second-job", null);
    jobs.create(second);
    Job clash =
        Job.builder(second.id(), "FIRST-job", second.source(), second.destination())
            .createdAt(T0)
            .build();

    assertThatThrownBy(() -> jobs.update(clash))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.field()).isEqualTo("name"));
    assertThat(jobs.find(second.id()).orElseThrow().name()).isEqualTo("second-job");
  }

  @Test
  void delete_removes_the_job_and_its_runs() {
    Job job = job("doomed-job", null);
    jobs.create(job);
    Run run = manualRun(job.id(), T0);
    runs.insert(run);

    assertThat(jobs.delete(job.id())).isTrue();

    assertThat(jobs.find(job.id())).isEmpty();
    assertThat(runs.find(run.id())).isEmpty();
    assertThat(runs.count(job.id())).isZero();
    assertThat(jobs.delete(job.id())).isFalse();
  }

  @Test
  void lists_jobs_ordered_by_name() {
    for (String name : List.of("charlie", "alpha", "bravo")) {
      jobs.create(job(name, null));
    }

    assertThat(jobs.list()).extracting(Job::name).containsExactly("alpha", "bravo", "charlie");
  }

  private static Job at(String name, String backend, String path) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse("https://mirror.example.org/pub/"),
            new Destination(backend, path))
        .createdAt(T0)
        .build();
  }

  @Test
  void clashing_finds_the_same_name_ignoring_case_and_every_overlapping_destination() {
    for (Job j :
        List.of(
            at("same-name", "other", "elsewhere"),
            at("parent", "default", "pool"),
            at("itself", "default", "pool/debian"),
            at("child", "default", "pool/debian/main"),
            at("sibling-prefix", "default", "pool/debian-security"),
            at("like-wildcards", "default", "pool/deb_an"),
            at("other-backend", "other", "pool/debian"),
            at("unrelated", "default", "iso"))) {
      jobs.create(j);
    }
    Job candidate = at("Same-Name", "default", "pool/debian");

    assertThat(jobs.clashing(candidate))
        .extracting(Job::name)
        .containsExactly("child", "itself", "parent", "same-name");
    Job stored = jobs.findByName("ITSELF").orElseThrow();
    assertThat(jobs.clashing(stored)).extracting(Job::name).containsExactly("child", "parent");
    assertThat(jobs.findByName("nobody")).isEmpty();
  }

  @Test
  void unplanned_are_the_enabled_scheduled_jobs_without_a_next_occurrence() {
    jobs.create(job("planned", T0));
    jobs.create(job("unplanned", null));
    jobs.create(
        Job.builder(
                new JobId(UUID.randomUUID()),
                "manual",
                Source.parse("https://mirror.example.org/pub/"),
                new Destination("default", "manual"))
            .createdAt(T0)
            .build());
    Job disabled = job("disabled", null);
    jobs.create(
        Job.builder(disabled.id(), disabled.name(), disabled.source(), disabled.destination())
            .schedule(disabled.schedule())
            .enabled(false)
            .createdAt(T0)
            .build());

    assertThat(jobs.unplanned()).extracting(Job::name).containsExactly("unplanned");
  }

  @Test
  void due_returns_enabled_jobs_due_at_or_before_now_oldest_first() {
    Job late = job("due-late", T0.minusSeconds(10));
    Job early = job("due-early", T0.minusSeconds(60));
    Job exactlyNow = job("due-now", T0);
    Job future = job("due-future", T0.plusSeconds(1));
    Job manual = job("no-next", null);
    Job disabled = disabled("disabled", T0.minusSeconds(100));
    for (Job j : List.of(late, early, exactlyNow, future, manual, disabled)) {
      jobs.create(j);
    }

    assertThat(jobs.due(T0, 10))
        .extracting(Job::name)
        .containsExactly("due-early", "due-late", "due-now");
    assertThat(jobs.due(T0, 2)).extracting(Job::name).containsExactly("due-early", "due-late");
  }

  /** A disabled job that would otherwise be due at {@code nextRunAt}. */
  private static Job disabled(String name, Instant nextRunAt) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse("https://h.example/" + name + "/"),
            new Destination("default", name))
        .enabled(false)
        .createdAt(T0)
        .build()
        .withNextRunAt(nextRunAt);
  }

  @Test
  void next_due_at_is_the_earliest_next_run_of_an_enabled_job_due_or_not() {
    assertThat(jobs.nextDueAt()).isEmpty();
    jobs.create(job("no-next", null));
    jobs.create(disabled("disabled-earlier", T0.minusSeconds(3600)));
    assertThat(jobs.nextDueAt()).isEmpty();

    jobs.create(job("later", T0.plusSeconds(90)));
    jobs.create(job("sooner", T0.plusMillis(1500)));
    assertThat(jobs.nextDueAt()).contains(T0.plusMillis(1500));

    jobs.create(job("overdue", T0.minusSeconds(5)));
    assertThat(jobs.nextDueAt()).contains(T0.minusSeconds(5));
  }

  /**
   * Fires {@code job}, the one job due at its {@code nextRunAt}, as {@code next} and {@code run}.
   */
  private FireResult fire(Job job, Instant next, Run run) {
    List<Fired> fired = jobs.fireDue(job.nextRunAt(), 10, j -> new Firing(next, run));
    assertThat(fired).extracting(f -> f.job().id()).containsExactly(job.id());
    return fired.get(0).result();
  }

  @Test
  void fire_inserts_the_run_and_advances_next_run_at() {
    Job job = job("fires", T0);
    jobs.create(job);
    Run run = scheduledRun(job.id(), T0, T0.plusMillis(20));

    FireResult result = fire(job, T0.plus(Duration.ofDays(1)), run);

    assertThat(result).isEqualTo(FireResult.FIRED);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt())
        .isEqualTo(T0.plus(Duration.ofDays(1)));
    assertThat(runs.find(run.id())).contains(run);
  }

  /**
   * The job is rescheduled while it is being fired: a store that holds the job while firing it
   * makes the reschedule wait for the firing; one that does not loses the race and writes nothing.
   * Either way the reschedule is not overwritten and the occurrence fires at most once.
   */
  @Test
  void fire_loses_without_writing_when_next_run_at_changed() throws Exception {
    Job job = job("moved-on", T0);
    jobs.create(job);
    Job moved = job.withNextRunAt(T0.plusSeconds(60));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      List<Future<?>> reschedule = new ArrayList<>();
      List<Fired> fired =
          jobs.fireDue(
              T0,
              10,
              j -> {
                reschedule.add(other.submit(() -> jobs.update(moved)));
                try {
                  reschedule.get(0).get(500, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                  // the store holds the job until this firing commits
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return new Firing(T0.plusSeconds(120), scheduledRun(job.id(), T0, T0));
              });
      reschedule.get(0).get(60, TimeUnit.SECONDS);

      assertThat(fired)
          .singleElement()
          .extracting(Fired::result)
          .isIn(FireResult.LOST, FireResult.FIRED);
      assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(60));
      assertThat(runs.count(job.id())).isEqualTo(fired.get(0).result() == FireResult.LOST ? 0 : 1);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void fire_records_a_skipped_run_when_the_job_has_an_active_run() {
    Job job = job("still-busy", T0);
    jobs.create(job);
    Run active = manualRun(job.id(), T0.minusSeconds(30));
    runs.insert(active);
    Run run = scheduledRun(job.id(), T0, T0.plusMillis(5));

    FireResult result = fire(job, T0.plusSeconds(3600), run);

    assertThat(result).isEqualTo(FireResult.SKIPPED);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(3600));
    assertThat(runs.findActive(job.id()).map(Run::id)).contains(active.id());
    List<Run> history = runs.history(job.id(), 10, 0);
    assertThat(history).hasSize(2);
    Run skipped =
        history.stream().filter(r -> r.status() == RunStatus.SKIPPED).findFirst().orElseThrow();
    assertThat(skipped.scheduledFor()).isEqualTo(T0);
    assertThat(skipped.status().isTerminal()).isTrue();
  }

  @Test
  void fire_records_a_skipped_run_while_a_resume_run_is_pending() {
    Job job = job("resume-pending", T0);
    jobs.create(job);
    Run resume = Run.pending(new RunId(UUID.randomUUID()), job.id(), Trigger.RESUME, null, T0, 0);
    runs.insert(resume);

    FireResult result = fire(job, T0.plusSeconds(86_400), scheduledRun(job.id(), T0, T0));

    assertThat(result).isEqualTo(FireResult.SKIPPED);
    assertThat(runs.findActive(job.id())).contains(resume);
    assertThat(runs.history(job.id(), 10, 0))
        .filteredOn(r -> r.trigger() == Trigger.SCHEDULE)
        .singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.SKIPPED));
  }

  @Test
  void fire_without_a_run_only_advances_next_run_at() {
    Job job = job("skip-missed", T0);
    jobs.create(job);

    FireResult result = fire(job, T0.plusSeconds(86_400), null);

    assertThat(result).isEqualTo(FireResult.ADVANCED);
    assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(86_400));
    assertThat(runs.count(job.id())).isZero();
  }

  /** Callers that find the job no longer due (another fired it) read nothing. */
  @Test
  void concurrent_fires_of_one_occurrence_fire_it_exactly_once() throws Exception {
    Job job = job("contended", T0);
    jobs.create(job);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Fired>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<List<Fired>> fire =
            () -> {
              start.await();
              return jobs.fireDue(
                  T0,
                  10,
                  j ->
                      new Firing(T0.plusSeconds(60), scheduledRun(job.id(), T0, T0.plusMillis(1))));
            };
        results.add(pool.submit(fire));
      }
      start.countDown();
      List<FireResult> outcomes = new ArrayList<>();
      for (Future<List<Fired>> f : results) {
        f.get(60, TimeUnit.SECONDS).forEach(fired -> outcomes.add(fired.result()));
      }

      assertThat(outcomes).containsOnlyOnce(FireResult.FIRED);
      assertThat(outcomes).allMatch(r -> r == FireResult.FIRED || r == FireResult.LOST);
      assertThat(runs.count(job.id())).isEqualTo(1);
      assertThat(jobs.find(job.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(60));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fire_due_gives_each_job_its_own_result_in_order() {
    Job a = job("batch-a", T0.minusSeconds(2));
    Job b = job("batch-b", T0.minusSeconds(1));
    Job d = job("batch-d", T0);
    Job c = job("batch-c", T0.plusSeconds(1));
    jobs.create(a);
    jobs.create(b);
    jobs.create(c);
    jobs.create(d);
    runs.insert(manualRun(b.id(), T0.minusSeconds(5)));
    Run ra = scheduledRun(a.id(), a.nextRunAt(), T0);
    Run rb = scheduledRun(b.id(), b.nextRunAt(), T0);
    java.util.Map<JobId, Run> planned = java.util.Map.of(a.id(), ra, b.id(), rb);

    List<Fired> fired =
        jobs.fireDue(T0, 10, j -> new Firing(T0.plusSeconds(60), planned.get(j.id())));

    assertThat(fired).extracting(f -> f.job().id()).containsExactly(a.id(), b.id(), d.id());
    assertThat(fired)
        .extracting(Fired::result)
        .containsExactly(FireResult.FIRED, FireResult.SKIPPED, FireResult.ADVANCED);
    assertThat(runs.find(ra.id())).isPresent();
    assertThat(runs.count(d.id())).isZero();
    assertThat(jobs.find(d.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(jobs.find(c.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(runs.count(c.id())).isZero();
  }

  @Test
  void fire_due_fires_the_due_jobs_oldest_first_up_to_the_limit_as_planned() {
    Job late = job("due-late", T0.minusSeconds(10));
    Job early = job("due-early", T0.minusSeconds(20));
    Job last = job("due-last", T0);
    Job notYet = job("not-yet-due", T0.plusSeconds(60));
    for (Job j : List.of(late, early, last, notYet)) {
      jobs.create(j);
    }
    List<JobId> planned = new ArrayList<>();
    java.util.function.Function<Job, Firing> plan =
        j -> {
          planned.add(j.id());
          return new Firing(T0.plusSeconds(3600), scheduledRun(j.id(), j.nextRunAt(), T0));
        };

    List<Fired> first = jobs.fireDue(T0, 2, plan);
    List<Fired> rest = jobs.fireDue(T0, 2, plan);

    assertThat(first).extracting(f -> f.job().id()).containsExactly(early.id(), late.id());
    assertThat(rest).extracting(f -> f.job().id()).containsExactly(last.id());
    assertThat(planned).containsExactly(early.id(), late.id(), last.id());
    assertThat(first.get(0).job().nextRunAt()).isEqualTo(T0.minusSeconds(20));
    for (Fired f : List.of(first.get(0), first.get(1), rest.get(0))) {
      assertThat(f.result()).isEqualTo(FireResult.FIRED);
      assertThat(jobs.find(f.job().id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(3600));
      assertThat(runs.history(f.job().id(), 10, 0))
          .singleElement()
          .satisfies(r -> assertThat(r.scheduledFor()).isEqualTo(f.job().nextRunAt()));
    }
    assertThat(jobs.fireDue(T0, 2, plan)).isEmpty();
    assertThat(jobs.find(notYet.id()).orElseThrow().nextRunAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(runs.count(notYet.id())).isZero();
  }
}

package dev.syncjobs.core.port;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunLog} must do. Subclass it per implementation and return a fresh, empty store
 * whose log is capped at the given size from {@link #openEmptyStore}.
 */
public abstract class RunLogContract {

  private static final long CAP = 1000;

  protected RunLog log;
  protected JobRepository jobs;
  protected RunRepository runs;

  /** Fresh repositories on one empty store, the log capped at {@code runLogMaxBytes}. */
  protected abstract PortsUnderTest openEmptyStore(long runLogMaxBytes);

  @BeforeEach
  void openStore() {
    PortsUnderTest ports = openEmptyStore(CAP);
    log = ports.log();
    jobs = ports.jobs();
    runs = ports.runs();
  }

  private RunId newRun(String jobName) {
    Job job = job(jobName, null);
    jobs.create(job);
    Run run = manualRun(job.id(), T0);
    runs.insert(run);
    return run.id();
  }

  @Test
  void a_run_that_logged_nothing_has_an_empty_log() {
    assertThat(log.read(newRun("silent"))).isEmpty();
  }

  @Test
  void lines_come_back_in_order_each_ending_with_a_newline() {
    RunId run = newRun("chatty");

    log.append(run, "starting transfer");
    log.append(run, "fetched ünïcödé/файл.txt");
    log.append(run, "");
    log.append(run, "done");

    assertThat(log.read(run)).isEqualTo("starting transfer\nfetched ünïcödé/файл.txt\n\ndone\n");
  }

  @Test
  void logs_of_different_runs_are_separate() {
    RunId first = newRun("first-run");
    RunId second = newRun("second-run");

    log.append(first, "one");
    log.append(second, "two");

    assertThat(log.read(first)).isEqualTo("one\n");
    assertThat(log.read(second)).isEqualTo("two\n");
  }

  @Test
  void lines_of_several_runs_appended_at_once_keep_each_runs_order_and_cap() {
    RunId quiet = newRun("quiet-run");
    RunId verbose = newRun("verbose-run");
    log.append(quiet, "first");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(String.format("line-%03d", i));
    }
    java.util.Map<RunId, List<String>> lines = new java.util.LinkedHashMap<>();
    lines.put(quiet, List.of("second", "third"));
    lines.put(verbose, many);

    log.appendAll(lines);

    assertThat(log.read(quiet)).isEqualTo("first\nsecond\nthird\n");
    String verboseLog = log.read(verbose);
    assertThat((long) verboseLog.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(CAP + 100);
    assertThat(verboseLog).startsWith("line-000\nline-001\n").endsWith("line-199\n");
    List<String> content = Arrays.asList(verboseLog.split("\n"));
    List<String> markers = content.stream().filter(l -> !l.matches("line-\\d{3}")).toList();
    assertThat(markers).hasSize(1);
    List<String> kept = content.stream().filter(l -> l.matches("line-\\d{3}")).toList();
    assertThat(kept).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void beyond_the_cap_the_log_keeps_its_first_and_last_half_with_a_marker_line() {
    RunId run = newRun("verbose");
    int count = 400;
    for (int i = 0; i < count; i++) {
      log.append(run, String.format("line-%03d", i));
    }

    List<String> lines = Arrays.asList(log.read(run).split("\n", -1));

    assertThat(lines.get(lines.size() - 1)).isEmpty();
    List<String> content = lines.subList(0, lines.size() - 1);
    List<String> markers = content.stream().filter(l -> !l.matches("line-\\d{3}")).toList();
    assertThat(markers).hasSize(1);
    int markerAt = content.indexOf(markers.get(0));
    List<String> head = content.subList(0, markerAt);
    List<String> tail = content.subList(markerAt + 1, content.size());
    assertThat(head).isNotEmpty();
    assertThat(tail).isNotEmpty();
    for (int i = 0; i < head.size(); i++) {
      assertThat(head.get(i)).isEqualTo(String.format("line-%03d", i));
    }
    for (int i = 0; i < tail.size(); i++) {
      assertThat(tail.get(tail.size() - 1 - i))
          .isEqualTo(String.format("line-%03d", count - 1 - i));
    }
    long headBytes = bytes(head);
    long tailBytes = bytes(tail);
    assertThat(headBytes).isBetween(CAP / 2 - 20, CAP / 2);
    assertThat(tailBytes).isBetween(CAP / 2 - 20, CAP / 2);
  }

  @Test
  void the_cap_holds_while_lines_keep_coming() {
    RunId run = newRun("endless");
    for (int i = 0; i < 300; i++) {
      log.append(run, "x".repeat(37) + i);
    }
    String before = log.read(run);
    log.append(run, "the very last line");

    String after = log.read(run);
    assertThat(after).endsWith("the very last line\n");
    assertThat(after.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(before.getBytes(StandardCharsets.UTF_8).length + 60);
    assertThat(after.getBytes(StandardCharsets.UTF_8).length).isLessThan((int) CAP + 200);
  }

  @Test
  void lines_appended_together_read_back_in_order_and_the_cap_still_holds() {
    RunId run = newRun("batched");
    log.append(run, "first");
    log.appendAll(run, List.of("second", "third"));
    log.append(run, "fourth");
    assertThat(log.read(run)).isEqualTo("first\nsecond\nthird\nfourth\n");

    RunId big = newRun("batched-big");
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      many.add(String.format("line-%03d", i));
    }
    log.appendAll(big, many);
    String text = log.read(big);
    assertThat(text).startsWith("line-000\n").endsWith("line-399\n");
    assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThan((int) CAP + 200);
  }

  @Test
  void concurrent_appends_lose_no_line() throws Exception {
    RunId run = newRun("parallel-writers");
    int threads = 4;
    int perThread = 10;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    log.append(run, "t" + thread + "-" + i);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Set<String> lines = new HashSet<>(Arrays.asList(log.read(run).split("\n")));
    assertThat(lines).hasSize(threads * perThread);
    for (int t = 0; t < threads; t++) {
      assertThat(lines).contains("t" + t + "-0", "t" + t + "-" + (perThread - 1));
    }
  }

  private static long bytes(List<String> lines) {
    return lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum();
  }
}

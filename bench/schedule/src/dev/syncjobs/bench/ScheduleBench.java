package dev.syncjobs.bench;

import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.schedule.SchedulePlanner;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.ToLongFunction;

/**
 * Cost of one {@link SchedulePlanner#next} call per schedule kind, from starts spread evenly over
 * 2026–2099 (a fixed seed), and of {@link SchedulePlanner#validate} for a cron expression the
 * planner has not seen (parse and "can it ever fire"). Each kind is warmed up, then timed in
 * samples of one pass over all starts; the table gives the median per call over the samples and the
 * 99th percentile and slowest single call of one further pass, timed call by call; then a sweep of
 * rare expressions over every zone gives the slowest call found.
 */
public final class ScheduleBench {
  private static final int STARTS = 4096;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static volatile long sink;

  public static void main(String[] args) {
    int samples = Integer.parseInt(args[0]);
    ZoneId zone = ZoneId.of(args[1]);
    Random random = new Random(1);
    long from = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
    Instant[] starts = new Instant[STARTS];
    for (int i = 0; i < STARTS; i++) {
      starts[i] = Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from)));
    }

    Map<String, Schedule> kinds = new LinkedHashMap<>();
    kinds.put("hourly", new Schedule.Hourly());
    kinds.put("daily 02:30", new Schedule.Daily(LocalTime.of(2, 30)));
    kinds.put("weekly Monday 09:00", new Schedule.Weekly(0, LocalTime.of(9, 0)));
    kinds.put("monthly 31st 10:00", new Schedule.Monthly(31, LocalTime.of(10, 0)));
    kinds.put("cron common `*/15 9-17 * * 1-5`", new Schedule.Cron("*/15 9-17 * * 1-5"));
    kinds.put("cron either day `0 0 13 * 5`", new Schedule.Cron("0 0 13 * 5"));
    kinds.put("cron rare `0 0 29 2 */7`", new Schedule.Cron("0 0 29 2 */7"));

    System.out.printf(
        Locale.ROOT,
        "zone %s, %d starts in 2026-2099, %d samples, %s%n%n",
        zone,
        STARTS,
        samples,
        Runtime.version());
    System.out.println(
        "| call | median per call | 99th percentile single call | slowest single call (CPU) |");
    System.out.println("|---|---:|---:|---:|");
    SchedulePlanner planner = new SchedulePlanner();
    for (Map.Entry<String, Schedule> kind : kinds.entrySet()) {
      Schedule schedule = kind.getValue();
      report(
          "next, " + kind.getKey(),
          samples,
          i -> {
            Optional<Instant> next = planner.next(schedule, zone, starts[i]);
            return next.map(Instant::getEpochSecond).orElse(0L);
          });
    }
    String[] impossible = {"0 0 31 2,4,6,9,11 */1", "* * 31 2,4,6,9,11 */1", "0 0 30 2 */1"};
    report(
        "validate, never fires (fresh planner: parse + check)",
        samples,
        i -> {
          try {
            new SchedulePlanner().validate(new Schedule.Cron(impossible[i % impossible.length]));
            return 1;
          } catch (RuntimeException e) {
            return e.getMessage().length();
          }
        });
    report(
        "validate, `*/15 9-17 * * 1-5` (fresh planner: parse + check)",
        samples,
        i -> {
          new SchedulePlanner().validate(new Schedule.Cron("*/15 9-17 * * 1-5"));
          return i;
        });
    sweep();
  }

  private static void report(String what, int samples, ToLongFunction<Integer> call) {
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; System.nanoTime() < warmUntil; i = (i + 1) % STARTS) {
      sink += call.applyAsLong(i);
    }
    List<Double> perCall = new ArrayList<>();
    for (int s = 0; s < samples; s++) {
      long start = System.nanoTime();
      for (int i = 0; i < STARTS; i++) {
        sink += call.applyAsLong(i);
      }
      perCall.add((System.nanoTime() - start) / (double) STARTS);
    }
    long[] single = new long[STARTS];
    long slowestCpu = 0;
    for (int i = 0; i < STARTS; i++) {
      long cpu = CPU.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      sink += call.applyAsLong(i);
      single[i] = System.nanoTime() - start;
      slowestCpu = Math.max(slowestCpu, CPU.getCurrentThreadCpuTime() - cpu);
    }
    java.util.Arrays.sort(single);
    double[] sorted = perCall.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = sorted[sorted.length / 2];
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s |%n",
        what,
        time(median),
        time(single[STARTS * 99 / 100]),
        time(slowestCpu));
  }

  /**
   * The slowest single call (thread CPU time, which a busy machine's other processes do not
   * inflate) of rare and never-firing expressions over every zone of the JDK's tzdb and starts
   * every half year from 2026 to 2099; the first pass loads every zone's rules and warms the code,
   * the second is the one reported.
   */
  private static void sweep() {
    String[] expressions = {
      "0 0 29 2 */7",
      "30 2 29 2 */7",
      "30 * 29 2 */7",
      "* * 29 2 *,1",
      "59 23 29 2 */7",
      "0 0 31 2 */7"
    };
    List<ZoneId> zones = new ArrayList<>();
    for (String id : new java.util.TreeSet<>(ZoneId.getAvailableZoneIds())) {
      zones.add(ZoneId.of(id));
    }
    SchedulePlanner planner = new SchedulePlanner();
    long slowest = 0;
    String slowestCase = "";
    Schedule slowestSchedule = null;
    ZoneId slowestZone = null;
    Instant slowestStart = null;
    int calls = 0;
    long[] took = new long[expressions.length * zones.size() * 148];
    for (int pass = 0; pass < 2; pass++) {
      slowest = 0;
      calls = 0;
      for (String expression : expressions) {
        Schedule schedule = new Schedule.Cron(expression);
        for (ZoneId zone : zones) {
          for (int year = 2026; year < 2100; year++) {
            for (int month : new int[] {1, 7}) {
              Instant start = java.time.LocalDate.of(year, month, 1).atStartOfDay(zone).toInstant();
              long cpu = CPU.getCurrentThreadCpuTime();
              sink += planner.next(schedule, zone, start).map(Instant::getEpochSecond).orElse(0L);
              took[calls] = CPU.getCurrentThreadCpuTime() - cpu;
              if (took[calls] > slowest) {
                slowest = took[calls];
                slowestCase = "`" + expression + "` in " + zone + " from " + start;
                slowestSchedule = schedule;
                slowestZone = zone;
                slowestStart = start;
              }
              calls++;
            }
          }
        }
      }
    }
    java.util.Arrays.sort(took);
    System.out.printf(
        Locale.ROOT,
        "%nsweep: %d calls (%d expressions x %d zones x 148 starts), CPU per call: median %s,"
            + " 99.9th percentile %s, slowest %s (%s)%n",
        calls,
        expressions.length,
        zones.size(),
        time(took[calls / 2]),
        time(took[calls - calls / 1000]),
        time(slowest),
        slowestCase);
    long[] again = new long[1000];
    for (int i = 0; i < again.length; i++) {
      long cpu = CPU.getCurrentThreadCpuTime();
      sink += planner.next(slowestSchedule, slowestZone, slowestStart).isPresent() ? 1 : 0;
      again[i] = CPU.getCurrentThreadCpuTime() - cpu;
    }
    java.util.Arrays.sort(again);
    System.out.printf(
        Locale.ROOT,
        "that call again, 1000 times: median %s, slowest %s CPU%n",
        time(again[again.length / 2]),
        time(again[again.length - 1]));
  }

  private static String time(double nanos) {
    return nanos < 10_000
        ? String.format(Locale.ROOT, "%.2f µs", nanos / 1000)
        : String.format(Locale.ROOT, "%.0f µs", nanos / 1000);
  }
}

package dev.syncjobs.app.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The jobs table with many jobs in a real headless Chromium (not a test: bench/webpage/run.sh
 * compiles and runs it). Reads the page's own User Timing measures of its first table: {@code
 * syncjobs:jobs-fetch} (the list request), then from its answer {@code syncjobs:jobs-first-rows}
 * (the first slice of rows built), {@code syncjobs:jobs-painted} (that slice on screen) and {@code
 * syncjobs:jobs-all-painted} (every row on screen). Then starts
 * throttled runs of some jobs at once and times the page's animation frames while their progress
 * streams in over the WebSocket.
 */
public final class JobsTableBench {
  private JobsTableBench() {}

  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(args[0]);
    int loads = Integer.parseInt(args[1]);
    int running = Integer.parseInt(args[2]);
    Path tmp = Files.createTempDirectory("jobs-table-bench");
    try (TestServer s =
            new TestServer(tmp, Map.of("SYNCJOBS_MAX_CONCURRENT_RUNS", String.valueOf(Math.max(1, running))));
        HeadlessChromium chromium = HeadlessChromium.start(tmp, "JobsTableBench")) {
      Path busy = TestServer.sourceTree(tmp.resolve("busy"), 200, 20_000);
      Path quiet = Files.createDirectories(tmp.resolve("quiet"));
      String[] schedules = {
        "\"schedule\":\"daily\",\"schedule_time\":\"03:00\",\"timezone\":\"Europe/Berlin\"",
        "\"schedule\":\"weekly\",\"schedule_day\":6,\"schedule_time\":\"04:30\"",
        "\"schedule\":\"cron\",\"cron_expression\":\"*/15 * * * *\"",
        "\"schedule\":\"manual\"",
      };
      List<String> ids = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < jobs; i++) {
        boolean runs = i < running;
        String extra = schedules[i % schedules.length] + (runs ? ",\"bandwidth_limit\":60000" : "");
        ids.add(
            s.createJob(
                TestServer.jobJson(
                    String.format(Locale.ROOT, "job-%04d", i),
                    runs ? busy : quiet,
                    "bench/" + i,
                    extra)));
      }
      System.err.printf(
          Locale.ROOT,
          "created %d jobs in %.1f s%n",
          jobs,
          (System.nanoTime() - t0) / 1e9);

      WebDriver driver = chromium.driver;
      JavascriptExecutor js = (JavascriptExecutor) driver;
      driver.get(s.base() + "/");
      chromium.waitUpTo(10).until(d -> d.findElement(By.id("token-input")).isDisplayed());
      driver.findElement(By.id("token-input")).sendKeys(TestServer.ADMIN);
      driver.findElement(By.id("token-save")).click();
      List<double[]> samples = new ArrayList<>();
      for (int load = 0; load <= loads; load++) {
        if (load > 0) {
          driver.navigate().refresh();
        }
        chromium
            .waitUpTo(60)
            .until(
                d ->
                    (Boolean)
                        js.executeScript(
                            "return performance.getEntriesByName('syncjobs:jobs-all-painted').length"
                                + " > 0 && document.querySelectorAll('#jobs tbody tr').length"
                                + " === arguments[0];",
                            jobs));
        @SuppressWarnings("unchecked")
        List<Number> m =
            (List<Number>)
                js.executeScript(
                    "const f = (n) => performance.getEntriesByName(n)[0].duration;"
                        + " return [f('syncjobs:jobs-fetch'), f('syncjobs:jobs-first-rows'),"
                        + " f('syncjobs:jobs-painted'), f('syncjobs:jobs-all-painted')];");
        if (load > 0) { // the first load warms the server's and the browser's caches
          samples.add(m.stream().mapToDouble(Number::doubleValue).toArray());
        }
      }
      chromium.screenshot("bench-jobs-table");

      for (int i = 0; i < running; i++) {
        s.post("/api/v1/storage/sync-jobs/" + ids.get(i) + "/run", null);
      }
      chromium
          .waitUpTo(60)
          .until(
              d ->
                  ((Number)
                              js.executeScript(
                                  "return document.querySelectorAll('#jobs td.status-running')"
                                      + ".length;"))
                          .intValue()
                      >= running);
      js.executeScript(
          "window.benchFrames = { gaps: [], messages: 0, last: performance.now(), stop: false };"
              + " document.addEventListener('syncjobs:progress', () => window.benchFrames.messages++);"
              + " const tick = (t) => { const b = window.benchFrames; if (b.stop) return;"
              + "   b.gaps.push(t - b.last); b.last = t; requestAnimationFrame(tick); };"
              + " requestAnimationFrame(tick);");
      long watch = Duration.ofSeconds(10).toMillis();
      long end = System.currentTimeMillis() + watch;
      while (System.currentTimeMillis() < end) {
        Thread.sleep(200); // the page is measured meanwhile; the bench only waits for it
      }
      @SuppressWarnings("unchecked")
      List<Number> f =
          (List<Number>)
              js.executeScript(
                  "const b = window.benchFrames; b.stop = true;"
                      + " const g = b.gaps.slice(1).sort((x, y) => x - y);"
                      + " return [b.messages, g.length, g[Math.floor(g.length * 0.95)],"
                      + " g[g.length - 1], g.filter((x) => x > 50).length];");
      for (int i = 0; i < running; i++) {
        s.post("/api/v1/storage/sync-jobs/" + ids.get(i) + "/cancel", null);
      }

      System.out.printf(
          Locale.ROOT,
          "%n| jobs | list request (ms) | first rows built (ms) | first rows painted (ms) |"
              + " all rows painted (ms) |%n|---|---|---|---|---|%n| %d | %.0f | %.0f | %.0f | %.0f |%n",
          jobs,
          median(samples, 0),
          median(samples, 1),
          median(samples, 2),
          median(samples, 3));
      System.out.printf(
          Locale.ROOT,
          "%n| running jobs | progress messages in %d s | frames | 95th pct frame gap (ms) |"
              + " longest frame gap (ms) | frames over 50 ms |%n|---|---|---|---|---|---|%n"
              + "| %d | %d | %d | %.0f | %.0f | %d |%n",
          watch / 1000,
          running,
          f.get(0).intValue(),
          f.get(1).intValue(),
          f.get(2).doubleValue(),
          f.get(3).doubleValue(),
          f.get(4).intValue());
      System.out.printf("(median of %d page loads; Chromium %s)%n", samples.size(), version(js));
    }
    System.exit(0); // Javalin's WebSocket ping thread would keep the JVM up
  }

  private static double median(List<double[]> samples, int column) {
    List<Double> v = new ArrayList<>();
    samples.forEach(s -> v.add(s[column]));
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static String version(JavascriptExecutor js) {
    String ua = (String) js.executeScript("return navigator.userAgent;");
    int i = ua.indexOf("Chrome/");
    return i < 0 ? ua : ua.substring(i + 7).split(" ")[0];
  }
}

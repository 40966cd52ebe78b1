package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * A job's page in a real headless Chromium: a job made in the form and run from its row shows live
 * progress, its page tails the running run's log, then shows the run, the current version, the
 * average duration, a chart of the runs drawn by uPlot (served from its WebJar) and the runs page
 * by page.
 */
class JobPageBrowserTest extends PageSession {
  void type(String name, String value) {
    WebElement e = driver.findElement(By.cssSelector("#job-form [name='" + name + "']"));
    e.clear();
    e.sendKeys(value);
  }

  String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  @Test
  void create_run_live_progress_job_page_log_tail_chart_and_runs_page_by_page() throws Exception {
    s = new TestServer(tmp);
    Path src = TestServer.sourceTree(tmp.resolve("src"), 6, 300_000);
    chromium = HeadlessChromium.start(tmp, "JobPageBrowserTest");
    driver = chromium.driver;
    chromium.signIn(s.base(), TestServer.ADMIN);

    driver.findElement(By.id("new-job")).click();
    type("name", "paged-job");
    type("source_url", src.toUri().toString());
    type("destination_path", "paged");
    type("bandwidth_limit", "400000");
    new Select(driver.findElement(By.cssSelector("#job-form [name='schedule']")))
        .selectByVisibleText("manual");
    driver.findElement(By.id("job-save")).click();
    By row = By.cssSelector("#jobs tr[data-job-name='paged-job']");
    chromium.waitUpTo(10).until(d -> !d.findElements(row).isEmpty());
    String id = driver.findElement(row).getAttribute("data-job-id");

    driver.findElement(row).findElement(By.cssSelector("button.run")).click();
    By rowBar = By.cssSelector("#jobs .progress-bar[data-job-name='paged-job']");
    chromium
        .waitUpTo(20)
        .until(
            d -> {
              int v = Integer.parseInt(d.findElement(rowBar).getAttribute("aria-valuenow"));
              return v > 0 && v < 100;
            });

    driver.findElement(row).findElement(By.cssSelector("a.job-link")).click();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("job-page")).isDisplayed());
    assertThat(driver.getCurrentUrl()).endsWith("#/jobs/" + id);
    assertThat(driver.findElement(By.id("jobs")).isDisplayed()).isFalse();
    assertThat(text("#job-page-title")).isEqualTo("paged-job");
    chromium
        .waitUpTo(10)
        .until(
            d ->
                "true".equals(d.findElement(By.id("log")).getAttribute("data-live"))
                    && d.findElement(By.id("log")).getText().contains("started"));
    assertThat(driver.findElement(By.id("job-cancel")).isDisplayed()).isTrue();
    assertThat(driver.findElement(By.id("job-run")).isDisplayed()).isFalse();
    String midRunLog = text("#log");
    chromium.screenshot("job-page-live-log");

    chromium
        .waitUpTo(30)
        .until(
            d ->
                "false".equals(d.findElement(By.id("log")).getAttribute("data-live"))
                    && d.findElement(By.id("log")).getText().contains("published"));
    assertThat(text("#log")).startsWith(midRunLog.lines().findFirst().orElseThrow());
    chromium
        .waitUpTo(10)
        .until(
            d -> !d.findElements(By.cssSelector("#history tr[data-status='success']")).isEmpty());
    chromium
        .waitUpTo(10)
        .until(d -> d.findElements(By.cssSelector("#versions tbody tr.current")).size() == 1);
    assertThat(text("#versions tbody tr.current")).contains("current").contains("1.7 MiB");
    chromium.waitUpTo(10).until(d -> !text("#job-average-duration").equals("—"));
    assertThat(text("#job-average-duration")).matches("\\d+(\\.\\d)? s|\\d+ min \\d+ s");
    assertThat(driver.findElement(By.id("job-run")).isDisplayed()).isTrue();

    assertThat(s.patch("/api/v1/storage/sync-jobs/" + id, "{\"bandwidth_limit\":null}").status())
        .isEqualTo(200);
    for (int i = 0; i < 11; i++) {
      TestServer.Response r = s.post("/api/v1/storage/sync-jobs/" + id + "/run", null);
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      s.awaitRunEnd(id, r.data().get("id").asText(), Duration.ofSeconds(30));
    }
    chromium.waitUpTo(15).until(d -> text("#runs-range").equals("runs 1–10 of 12"));
    assertThat(driver.findElements(By.cssSelector("#history tbody tr"))).hasSize(10);
    assertThat(driver.findElement(By.id("runs-newer")).isEnabled()).isFalse();
    driver.findElement(By.id("runs-older")).click();
    chromium.waitUpTo(10).until(d -> text("#runs-range").equals("runs 11–12 of 12"));
    assertThat(driver.findElements(By.cssSelector("#history tbody tr"))).hasSize(2);
    assertThat(driver.findElement(By.id("runs-older")).isEnabled()).isFalse();
    chromium.screenshot("job-page-runs-older");
    driver.findElement(By.id("runs-newer")).click();
    chromium.waitUpTo(10).until(d -> text("#runs-range").equals("runs 1–10 of 12"));

    chromium
        .waitUpTo(10)
        .until(d -> "12".equals(d.findElement(By.id("run-chart")).getAttribute("data-points")));
    chromium
        .waitUpTo(10)
        .until(d -> !d.findElements(By.cssSelector("#run-chart canvas")).isEmpty());
    Object seriesPixels =
        js(
            "const c = document.querySelector('#run-chart canvas');"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let n = 0; for (let i = 0; i < d.length; i += 4) {"
                + "  if (d[i + 3] > 200 && Math.abs(d[i] - 43) < 12 && Math.abs(d[i + 1] - 108) < 12"
                + "      && Math.abs(d[i + 2] - 176) < 12) { n++; } }"
                + " return n;");
    assertThat(((Number) seriesPixels).longValue()).as("pixels of the duration line").isPositive();
    assertThat(
            (String)
                js(
                    "return [...document.scripts].map(s => s.src)"
                        + ".find(s => s.includes('/webjars/uplot/')) || ''"))
        .matches(".*/webjars/uplot/[0-9.]+/dist/uPlot\\.iife\\.min\\.js");
    js("window.scrollTo(0, 0)");
    chromium.screenshot("job-page");

    driver.findElement(By.id("job-page-back")).click();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("jobs")).isDisplayed());
    assertThat(driver.findElement(By.id("job-page")).isDisplayed()).isFalse();
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}

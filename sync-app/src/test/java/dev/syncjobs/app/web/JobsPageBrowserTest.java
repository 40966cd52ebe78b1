package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The jobs table in a real headless Chromium: schedules in words in the job's zone, the next run
 * relative with the absolute time on hover, and no console errors on the way.
 */
class JobsPageBrowserTest extends PageSession {
  void signIn(String token) throws Exception {
    chromium = HeadlessChromium.start(tmp, "JobsPageBrowserTest");
    driver = chromium.driver;
    chromium.signIn(s.base(), token);
  }

  WebElement row(String name) {
    By by = By.cssSelector("#jobs tr[data-job-name='" + name + "']");
    chromium.waitUpTo(10).until(d -> !d.findElements(by).isEmpty());
    return driver.findElement(by);
  }

  String cell(String name, String cls) {
    return row(name).findElement(By.cssSelector("td." + cls)).getText();
  }

  @Test
  void shows_each_kind_of_schedule_in_words_in_the_jobs_zone_and_the_next_run_relative()
      throws Exception {
    s = new TestServer(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    s.createJob(
        TestServer.jobJson(
            "nightly",
            src,
            "a",
            "\"schedule\":\"daily\",\"schedule_time\":\"03:00\",\"timezone\":\"Europe/Berlin\""));
    s.createJob(
        TestServer.jobJson(
            "weekly",
            src,
            "b",
            "\"schedule\":\"weekly\",\"schedule_day\":6,\"schedule_time\":\"04:30\","
                + "\"timezone\":\"UTC\""));
    s.createJob(
        TestServer.jobJson(
            "quarterly", src, "c", "\"schedule\":\"cron\",\"cron_expression\":\"*/15 * * * *\""));
    s.createJob(
        TestServer.jobJson(
            "workdays",
            src,
            "d",
            "\"schedule\":\"cron\",\"cron_expression\":\"0 3 * * 1-5\","
                + "\"timezone\":\"America/New_York\""));
    s.createJob(
        TestServer.jobJson(
            "monthly",
            src,
            "e",
            "\"schedule\":\"monthly\",\"schedule_day\":1,\"schedule_time\":\"02:15\""));
    s.createJob(TestServer.jobJson("by-hand", src, "f", "\"schedule\":\"manual\""));

    signIn(TestServer.ADMIN);

    assertThat(cell("nightly", "schedule")).isEqualTo("every day at 03:00 (Europe/Berlin)");
    assertThat(cell("weekly", "schedule")).isEqualTo("Sundays at 04:30 (UTC)");
    assertThat(cell("quarterly", "schedule")).isEqualTo("every 15 minutes");
    assertThat(cell("workdays", "schedule")).isEqualTo("cron 0 3 * * 1-5 (America/New_York)");
    assertThat(cell("monthly", "schedule")).isEqualTo("monthly on the 1st at 02:15 (UTC)");
    assertThat(cell("by-hand", "schedule")).isEqualTo("manual");

    assertThat(cell("nightly", "next-run")).matches("in \\d+ (min|h)");
    assertThat(cell("quarterly", "next-run")).matches("now|in \\d+ min");
    assertThat(cell("weekly", "next-run")).matches("in \\d+ (min|h|d)");
    assertThat(cell("by-hand", "next-run")).isEqualTo("—");
    WebElement time = row("nightly").findElement(By.cssSelector("td.next-run time"));
    assertThat(time.getAttribute("title")).matches("\\d{4}-\\d\\d-\\d\\d 03:00 Europe/Berlin");

    chromium.screenshot("jobs-schedules-in-words");
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  List<String> shownJobs() {
    return driver.findElements(By.cssSelector("#jobs tbody tr")).stream()
        .filter(WebElement::isDisplayed)
        .map(r -> r.getAttribute("data-job-name"))
        .sorted()
        .toList();
  }

  void filter(String id, String visibleText) {
    new Select(driver.findElement(By.id(id))).selectByVisibleText(visibleText);
  }

  @Test
  void filters_the_table_by_running_now_last_result_and_backend() throws Exception {
    Path second = Files.createDirectories(tmp.resolve("second"));
    Files.createFile(second.resolve(".syncjobs-backend"));
    s =
        new TestServer(
            tmp,
            java.util.Map.of(
                "SYNCJOBS_BACKENDS",
                "default=" + tmp.resolve("data/storage") + ",second=" + second));
    Path src = TestServer.sourceTree(tmp.resolve("src"), 4, 300_000);
    Path gone = Files.createDirectories(tmp.resolve("gone"));
    String ok = s.createJob(TestServer.jobJson("ok-one", src, "ok", "\"schedule\":\"manual\""));
    String failed =
        s.createJob(
            TestServer.jobJson(
                "failed-one", gone, "failed", "\"schedule\":\"manual\",\"max_retries\":0"));
    String running =
        s.createJob(
            TestServer.jobJson(
                    "running-one",
                    src,
                    "running",
                    "\"schedule\":\"manual\",\"destination_backend_id\":\"second\","
                        + "\"bandwidth_limit\":30000")
                .replace("\"destination_backend_id\":\"default\",", ""));
    s.createJob(
        TestServer.jobJson("never-one", src, "never", "\"schedule\":\"manual\"")
            .replace("\"default\"", "\"second\""));
    Files.delete(gone);
    for (String id : List.of(ok, failed)) {
      TestServer.Response r = s.post("/api/v1/storage/sync-jobs/" + id + "/run", null);
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      s.awaitRunEnd(id, r.data().get("id").asText(), java.time.Duration.ofSeconds(30));
    }
    assertThat(s.post("/api/v1/storage/sync-jobs/" + running + "/run", null).status())
        .isEqualTo(202);
    signIn(TestServer.ADMIN);
    chromium.waitUpTo(20).until(d -> cell("running-one", "status").equals("running"));
    assertThat(driver.findElement(By.id("jobs-count")).getText()).isEqualTo("4 jobs");

    filter("filter-status", "running now");
    assertThat(shownJobs()).containsExactly("running-one");
    assertThat(driver.findElement(By.id("jobs-count")).getText()).isEqualTo("1 of 4 jobs");
    filter("filter-status", "last run failed");
    assertThat(shownJobs()).containsExactly("failed-one");
    filter("filter-status", "last run ok");
    assertThat(shownJobs()).containsExactly("ok-one");
    filter("filter-status", "never ran");
    assertThat(shownJobs()).containsExactly("never-one");

    filter("filter-status", "any");
    filter("filter-backend", "second");
    assertThat(shownJobs()).containsExactly("never-one", "running-one");
    chromium.screenshot("jobs-filtered-by-backend");
    filter("filter-status", "running now");
    assertThat(shownJobs()).containsExactly("running-one");
    filter("filter-backend", "default");
    assertThat(shownJobs()).isEmpty();
    assertThat(driver.findElement(By.id("no-match")).isDisplayed()).isTrue();

    assertThat(s.post("/api/v1/storage/sync-jobs/" + running + "/cancel", null).status())
        .isEqualTo(200);
    filter("filter-backend", "second");
    filter("filter-status", "last run cancelled");
    chromium.waitUpTo(20).until(d -> shownJobs().equals(List.of("running-one")));
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  Object js(String script) {
    return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script);
  }

  /** Presses Tab until the focused element matches {@code css}; fails after 40 presses. */
  void tabTo(String css) {
    for (int i = 0; i < 40; i++) {
      new org.openqa.selenium.interactions.Actions(driver)
          .sendKeys(org.openqa.selenium.Keys.TAB)
          .perform();
      if ((Boolean) js("return document.activeElement.matches('" + css + "');")) {
        return;
      }
    }
    throw new AssertionError("Tab never reached " + css);
  }

  @Test
  void at_a_phones_width_jobs_are_cards_and_the_keyboard_opens_a_jobs_page_and_runs_it()
      throws Exception {
    s = new TestServer(tmp);
    Path src = TestServer.sourceTree(tmp.resolve("src"), 2, 100_000);
    s.createJob(
        TestServer.jobJson(
            "pocket", src, "a", "\"schedule\":\"daily\",\"schedule_time\":\"03:00\""));
    signIn(TestServer.ADMIN);
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    chromium
        .waitUpTo(10)
        .until(
            d ->
                (Boolean)
                    js(
                        "return document.documentElement.scrollWidth"
                            + " <= document.documentElement.clientWidth;"));
    WebElement actions = row("pocket").findElement(By.cssSelector("td.actions"));
    assertThat(actions.getRect().getX() + actions.getRect().getWidth()).isLessThanOrEqualTo(390);
    assertThat(row("pocket").findElement(By.cssSelector("button.run")).isDisplayed()).isTrue();
    chromium.screenshot("jobs-phone");

    js("document.activeElement.blur();");
    tabTo("a.job-link");
    new org.openqa.selenium.interactions.Actions(driver)
        .sendKeys(org.openqa.selenium.Keys.ENTER)
        .perform();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("job-page")).isDisplayed());
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("job-run")).isDisplayed());
    tabTo("#job-run");
    new org.openqa.selenium.interactions.Actions(driver)
        .sendKeys(org.openqa.selenium.Keys.ENTER)
        .perform();
    chromium
        .waitUpTo(20)
        .until(
            d -> !d.findElements(By.cssSelector("#history tr[data-status='success']")).isEmpty());
    assertThat(
            (Boolean)
                js(
                    "return document.documentElement.scrollWidth"
                        + " <= document.documentElement.clientWidth;"))
        .isTrue();
    chromium.screenshot("job-page-phone");
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  boolean enabledInApi(String id) {
    return s.get("/api/v1/storage/sync-jobs/" + id).data().get("enabled").asBoolean();
  }

  @Test
  void the_switch_disables_and_enables_a_job_and_run_or_cancel_follow_its_state() throws Exception {
    s = new TestServer(tmp);
    Path src = TestServer.sourceTree(tmp.resolve("src"), 4, 300_000);
    String id =
        s.createJob(
            TestServer.jobJson(
                "switched",
                src,
                "a",
                "\"schedule\":\"daily\",\"schedule_time\":\"03:00\",\"bandwidth_limit\":400000"));
    signIn(TestServer.ADMIN);

    By toggle = By.cssSelector("td.enabled input[role='switch']");
    assertThat(row("switched").findElement(toggle).isSelected()).isTrue();
    assertThat(row("switched").findElement(By.cssSelector("button.run")).isDisplayed()).isTrue();
    assertThat(row("switched").findElements(By.cssSelector("button.cancel")).get(0).isDisplayed())
        .isFalse();

    row("switched").findElement(toggle).click();
    TestServer.await("job disabled", java.time.Duration.ofSeconds(10), () -> !enabledInApi(id));
    chromium
        .waitUpTo(10)
        .until(
            d ->
                row("switched")
                    .findElement(By.cssSelector("td.next-run"))
                    .getText()
                    .equals("disabled"));
    chromium.screenshot("jobs-switch-off");
    row("switched").findElement(toggle).click();
    TestServer.await("job enabled", java.time.Duration.ofSeconds(10), () -> enabledInApi(id));
    chromium
        .waitUpTo(10)
        .until(
            d ->
                row("switched")
                    .findElement(By.cssSelector("td.next-run"))
                    .getText()
                    .startsWith("in "));

    row("switched").findElement(By.cssSelector("button.run")).click();
    chromium
        .waitUpTo(20)
        .until(
            d ->
                row("switched").findElement(By.cssSelector("button.cancel")).isDisplayed()
                    && !row("switched").findElement(By.cssSelector("button.run")).isDisplayed());
    chromium.screenshot("jobs-running-offers-cancel");
    row("switched").findElement(By.cssSelector("button.cancel")).click();
    chromium
        .waitUpTo(20)
        .until(
            d ->
                row("switched").findElement(By.cssSelector("button.run")).isDisplayed()
                    && !row("switched").findElement(By.cssSelector("button.cancel")).isDisplayed());
    chromium
        .waitUpTo(10)
        .until(
            d ->
                row("switched")
                    .findElement(By.cssSelector("td.last-result"))
                    .getText()
                    .startsWith("cancelled"));
    assertThat(row("switched").findElement(By.cssSelector("td.last-result")).getAttribute("title"))
        .startsWith("cancelled · ");
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  @Test
  void a_viewer_sees_no_control_that_would_be_refused() throws Exception {
    s = new TestServer(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    s.createJob(TestServer.jobJson("looked-at", src, "a", "\"schedule\":\"manual\""));
    signIn(TestServer.VIEWER);

    WebElement row = row("looked-at");
    assertThat(row.findElement(By.cssSelector("td.enabled")).getText()).isEqualTo("on");
    for (String mutating :
        List.of(
            "input[role='switch']",
            "button.run",
            "button.cancel",
            "button.edit",
            "button.delete",
            "#new-job",
            "#uploads")) {
      List<WebElement> found = driver.findElements(By.cssSelector(mutating));
      assertThat(found.stream().filter(WebElement::isDisplayed).toList()).as(mutating).isEmpty();
    }
    row.findElement(By.cssSelector("a.job-link")).click();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("job-page")).isDisplayed());
    assertThat(
            driver.findElements(By.cssSelector("#job-controls button")).stream()
                .filter(WebElement::isDisplayed)
                .toList())
        .isEmpty();
    chromium.screenshot("jobs-viewer");
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  void type(String name, String value) {
    WebElement e = driver.findElement(By.cssSelector("#job-form [name='" + name + "']"));
    e.clear();
    e.sendKeys(value);
  }

  String fieldError(String field) {
    WebElement slot =
        driver.findElement(By.cssSelector("#job-form .error[data-field='" + field + "']"));
    chromium.waitUpTo(10).until(d -> !slot.getText().isEmpty());
    return slot.getText();
  }

  @Test
  void the_form_shows_each_field_error_next_to_its_field_and_sends_ca_bundle_and_known_hosts()
      throws Exception {
    s = new TestServer(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    signIn(TestServer.ADMIN);

    driver.findElement(By.id("new-job")).click();
    type("name", "formed");
    type("source_url", src.toUri().toString());
    type("destination_path", "formed");
    new Select(driver.findElement(By.cssSelector("#job-form [name='schedule']")))
        .selectByVisibleText("cron");
    type("cron_expression", "5/15 * * * *");
    driver.findElement(By.id("job-save")).click();
    assertThat(fieldError("cron_expression")).contains("5-59/15");
    assertThat(
            driver
                .findElement(By.cssSelector("#job-form [name='cron_expression']"))
                .getAttribute("class"))
        .contains("invalid");
    chromium.screenshot("jobs-form-cron-error");

    type("cron_expression", "5-59/15 * * * *");
    type("ca_bundle", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----");
    driver.findElement(By.id("job-save")).click();
    assertThat(fieldError("ca_bundle")).containsIgnoringCase("PEM");
    assertThat(
            driver
                .findElement(By.cssSelector("#job-form .error[data-field='cron_expression']"))
                .getText())
        .isEmpty();

    driver.findElement(By.cssSelector("#job-form [name='ca_bundle']")).clear();
    type("source_url", "ssh://mirror@127.0.0.1:2222/srv/data/");
    new Select(driver.findElement(By.cssSelector("#job-form [name='auth_type']")))
        .selectByVisibleText("ssh");
    type(
        "auth_secret",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----");
    type(
        "auth_known_hosts",
        "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
    ((org.openqa.selenium.JavascriptExecutor) driver)
        .executeScript(
            "const f = window.fetch; window.sentBodies = [];"
                + " window.fetch = (u, i) => { if (i && i.body) { window.sentBodies.push(i.body); }"
                + " return f(u, i); };");
    driver.findElement(By.id("job-save")).click();
    chromium.waitUpTo(10).until(d -> !d.findElement(By.id("editor")).isDisplayed());
    String sent =
        (String)
            ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript("return window.sentBodies.join('\\n');");
    assertThat(sent).contains("\"known_hosts\":\"[127.0.0.1]:2222 ssh-ed25519 ");
    var job = s.get("/api/v1/storage/sync-jobs").data().get(0);
    assertThat(job.get("cron_expression").asText()).isEqualTo("5-59/15 * * * *");
    assertThat(job.get("source_auth").get("type").asText()).isEqualTo("ssh");
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}

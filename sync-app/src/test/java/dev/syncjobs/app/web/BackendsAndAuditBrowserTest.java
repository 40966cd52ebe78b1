package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The page's Backends and Audit sections in headless Chromium over a real server with an online and
 * an offline backend, jobs, a run and settings changes: what the API says, shown and paged.
 */
class BackendsAndAuditBrowserTest extends PageSession {
  WebElement backend(String name) {
    By by = By.cssSelector("#backend-list tr[data-backend='" + name + "']");
    chromium.waitUpTo(10).until(d -> !d.findElements(by).isEmpty());
    return driver.findElement(by);
  }

  static String cell(WebElement row, String cls) {
    return row.findElement(By.cssSelector("td." + cls)).getText();
  }

  List<WebElement> auditRows() {
    return driver.findElements(By.cssSelector("#audit-list tbody tr"));
  }

  String page() {
    return driver.findElement(By.id("audit-page")).getText();
  }

  @Test
  void backends_and_the_audit_log_show_the_servers_data_and_page_through_it() throws Exception {
    Path main = tmp.resolve("main");
    new StorageBackend("default", main).adopt();
    Path nas = Files.createDirectories(tmp.resolve("nas"));
    s = new TestServer(tmp, Map.of("SYNCJOBS_BACKENDS", "default=" + main + ",nas=" + nas));
    Path src = TestServer.sourceTree(tmp.resolve("src"), 2, 1000);
    String alpha = s.createJob(TestServer.jobJson("alpha", src, "a", ""));
    String beta = s.createJob(TestServer.jobJson("beta", src, "b", ""));
    String run =
        s.post("/api/v1/storage/sync-jobs/" + alpha + "/run", null).data().get("id").asText();
    s.awaitRunEnd(alpha, run, Duration.ofSeconds(30));
    for (int i = 0; i < 20; i++) {
      TestServer.Response r =
          s.patch(
              "/api/v1/storage/sync-jobs/" + beta,
              "{\"max_retries\":" + (i % 2 == 0 ? 5 : 4) + "}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
    assertThat(
            s.send(
                    "PUT",
                    "/api/v1/sync/bandwidth/limit",
                    TestServer.ADMIN,
                    "{\"upload_speed_limit\":1000}",
                    null)
                .status())
        .isEqualTo(200);
    JsonNode audit = s.get("/api/v1/audit?limit=100").json();
    int total = audit.get("total").asInt();
    assertThat(total).isGreaterThan(20);

    chromium = HeadlessChromium.start(tmp, "BackendsAndAuditBrowserTest");
    driver = chromium.driver;
    chromium.signIn(s.base(), TestServer.ADMIN);

    JsonNode api = s.get("/api/v1/storage/backends").data();
    JsonNode def = api.get(0).get("name").asText().equals("default") ? api.get(0) : api.get(1);
    assertThat(def.get("total_bytes").asLong())
        .isGreaterThanOrEqualTo(def.get("used_bytes").asLong());
    WebElement online = backend("default");
    assertThat(cell(online, "status")).isEqualTo("online");
    assertThat(cell(online, "mount")).isEqualTo(main.toString());
    assertThat(cell(online, "jobs")).isEqualTo("2");
    assertThat(online.findElement(By.cssSelector("td.jobs")).getAttribute("title"))
        .isEqualTo("alpha, beta");
    assertThat(cell(online, "total")).matches("\\d+\\.\\d (KiB|MiB|GiB|TiB)");
    assertThat(cell(online, "free")).matches("\\d+\\.\\d (KiB|MiB|GiB|TiB)");
    long percent =
        Math.round(100.0 * def.get("used_bytes").asLong() / def.get("total_bytes").asLong());
    String shown = online.findElement(By.cssSelector("[role=meter]")).getAttribute("aria-valuenow");
    assertThat(Long.parseLong(shown)).isBetween(percent - 1, percent + 1);
    WebElement offline = backend("nas");
    assertThat(cell(offline, "status")).isEqualTo("offline");
    assertThat(cell(offline, "free")).isEqualTo("—");
    assertThat(cell(offline, "jobs")).isEqualTo("0");

    chromium.waitUpTo(10).until(d -> auditRows().size() == 20);
    assertThat(page()).isEqualTo("1–20 of " + total);
    JsonNode newest = audit.get("data").get(0);
    assertThat(auditRows().get(0).getAttribute("data-action"))
        .isEqualTo(newest.get("action").asText());
    assertThat(auditRows().get(0).getText())
        .contains("admin", "settings bandwidth", "upload_speed_limit");
    assertThat(driver.findElement(By.id("audit-newer")).isEnabled()).isFalse();
    chromium.screenshot("backends-and-audit");

    driver.findElement(By.id("audit-older")).click();
    chromium.waitUpTo(10).until(d -> page().startsWith("21–"));
    assertThat(page()).isEqualTo("21–" + total + " of " + total);
    assertThat(auditRows()).hasSize(total - 20);
    assertThat(auditRows().get(auditRows().size() - 1).getAttribute("data-action"))
        .isEqualTo("job.created");
    assertThat(driver.findElement(By.id("audit-older")).isEnabled()).isFalse();

    new Select(driver.findElement(By.id("audit-type"))).selectByValue("run");
    chromium.waitUpTo(10).until(d -> page().equals("1–1 of 1"));
    WebElement triggered = auditRows().get(0);
    assertThat(triggered.getAttribute("data-action")).isEqualTo("run.triggered");
    assertThat(triggered.getText()).contains(run, "job_name: alpha");

    new Select(driver.findElement(By.id("audit-type"))).selectByValue("");
    chromium.waitUpTo(10).until(d -> page().equals("1–20 of " + total));
    By aJob = By.cssSelector("#audit-list tr[data-resource-type='job'] button.resource-id");
    chromium.waitUpTo(10).until(d -> !d.findElements(aJob).isEmpty());
    driver.findElement(aJob).click();
    chromium.waitUpTo(10).until(d -> page().equals("1–20 of 21"));
    assertThat(driver.findElement(By.id("audit-id")).getAttribute("value")).isEqualTo(beta);
    assertThat(auditRows()).allSatisfy(r -> assertThat(r.getText()).contains("job beta " + beta));
    assertThat(Files.size(chromium.screenshot("audit-filtered"))).isPositive();
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}

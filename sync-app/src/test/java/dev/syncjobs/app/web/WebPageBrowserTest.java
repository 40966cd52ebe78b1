package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium: sign in, create a job through the form (seeing the
 * API's validation message next to the field first), run it, watch the progress bar reach 100% over
 * the WebSocket, and find the run in the history with its log. Saves a screenshot under target/.
 */
class WebPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path tmp;
  TestServer s;
  WebDriver driver;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
      String msg =
          "WebPageBrowserTest needs Debian's chromium and chromium-driver (/usr/bin/chromium,"
              + " /usr/bin/chromedriver): run .ci/setup-chromium.sh";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(msg);
      }
      System.err.println("SKIPPED: " + msg);
      Assumptions.abort(msg);
    }
    s = new TestServer(tmp);
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1500,1300",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (s != null) {
      s.close();
    }
  }

  WebDriverWait waitUpTo(int seconds) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  void type(String name, String value) {
    WebElement e = driver.findElement(By.cssSelector("#job-form [name='" + name + "']"));
    e.clear();
    e.sendKeys(value);
  }

  void screenshot(Path target) {
    File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    try {
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void creates_a_job_in_the_form_runs_it_and_sees_progress_reach_100_and_the_run_in_history()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] data = new byte[600_000];
    new java.util.Random(7).nextBytes(data);
    Files.write(src.resolve("one.bin"), data);
    Files.write(src.resolve("two.bin"), data);

    driver.get(s.base() + "/");
    waitUpTo(10).until(d -> d.findElement(By.id("token-input")).isDisplayed());
    driver.findElement(By.id("token-input")).sendKeys(TestServer.ADMIN);
    driver.findElement(By.id("token-save")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("connection")).getText().equals("live"));

    driver.findElement(By.id("new-job")).click();
    type("name", "x");
    type("source_url", src.toUri().toString());
    type("destination_path", "web/mirror");
    type("bandwidth_limit", "600000");
    driver.findElement(By.id("job-save")).click();
    WebElement nameError = driver.findElement(By.cssSelector(".error[data-field='name']"));
    waitUpTo(10).until(d -> !nameError.getText().isEmpty());
    assertThat(nameError.getText()).contains("3..100");

    type("name", "web-job");
    new Select(driver.findElement(By.cssSelector("#job-form [name='schedule']")))
        .selectByVisibleText("manual");
    driver.findElement(By.id("job-save")).click();
    By row = By.cssSelector("#jobs tr[data-job-name='web-job']");
    waitUpTo(10).until(d -> !d.findElements(row).isEmpty());
    assertThat(driver.findElement(By.id("editor")).isDisplayed()).isFalse();

    driver.findElement(row).findElement(By.cssSelector("button.run")).click();
    By bar = By.cssSelector(".progress-bar[data-job-name='web-job']");
    Path midRun = Path.of("target", "web-page-browser-test-running.png");
    Files.deleteIfExists(midRun);
    List<Integer> seen = new ArrayList<>();
    waitUpTo(30)
        .pollingEvery(Duration.ofMillis(100))
        .until(
            d -> {
              int v = Integer.parseInt(d.findElement(bar).getAttribute("aria-valuenow"));
              if (seen.isEmpty() || seen.get(seen.size() - 1) != v) {
                seen.add(v);
                if (v > 0 && v < 100 && !Files.exists(midRun)) {
                  screenshot(midRun);
                }
              }
              return v == 100;
            });
    System.err.println("WebPageBrowserTest: progress values seen: " + seen);
    assertThat(seen)
        .as("the bar moved through intermediate values")
        .anyMatch(v -> v > 0 && v < 100);
    waitUpTo(10)
        .until(
            d ->
                d.findElement(row)
                    .findElement(By.cssSelector("td.status"))
                    .getText()
                    .equals("synced"));

    driver.findElement(row).findElement(By.cssSelector("a.job-link")).click();
    By success = By.cssSelector("#history tbody tr[data-status='success']");
    waitUpTo(10).until(d -> !d.findElements(success).isEmpty());
    driver.findElement(success).findElement(By.cssSelector("button.log")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("log")).getText().contains("published"));
    waitUpTo(10).until(d -> d.findElements(By.cssSelector("#versions tbody tr")).size() == 1);
    assertThat(driver.findElement(By.cssSelector("#versions tbody tr")).getText())
        .contains("current");

    Path target = Path.of("target", "web-page-browser-test.png");
    screenshot(target);
    assertThat(Files.size(target)).isPositive();

    driver.findElement(By.id("job-edit")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("editor")).isDisplayed());
    assertThat(driver.findElement(By.cssSelector("#job-form [name='name']")).getAttribute("value"))
        .isEqualTo("web-job");
    type("keep_versions", "20");
    driver.findElement(By.id("job-save")).click();
    WebElement keepError = driver.findElement(By.cssSelector(".error[data-field='keep_versions']"));
    waitUpTo(10).until(d -> !keepError.getText().isEmpty());
    assertThat(keepError.getText()).contains("0..10");
    type("keep_versions", "5");
    driver.findElement(By.id("job-save")).click();
    waitUpTo(10).until(d -> !d.findElement(By.id("editor")).isDisplayed());
    assertThat(s.get("/api/v1/storage/sync-jobs").data().get(0).get("keep_versions").asInt())
        .isEqualTo(5);
  }
}

package dev.syncjobs.app.web;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through its chromedriver, with a profile of its own under a test's
 * temporary folder. Without them the test is skipped loudly, and fails when {@code CI=true}.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  final WebDriver driver;

  private HeadlessChromium(WebDriver driver) {
    this.driver = driver;
  }

  static HeadlessChromium start(Path tmp, String testName) throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
      String msg =
          testName
              + " needs Debian's chromium and chromium-driver (/usr/bin/chromium,"
              + " /usr/bin/chromedriver): run .ci/setup-chromium.sh";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(msg);
      }
      System.err.println("SKIPPED: " + msg);
      Assumptions.abort(msg);
    }
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
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    return new HeadlessChromium(new ChromeDriver(service, options));
  }

  WebDriverWait waitUpTo(int seconds) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
    wait.pollingEvery(Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** Saves what the page shows now as {@code target/screenshots/<name>.png}. */
  Path screenshot(String name) {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    try {
      Path target = Files.createDirectories(SCREENSHOTS).resolve(name + ".png");
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The console's errors since the last call, leaving out the network lines Chromium writes for a
   * 4xx answer: those are the API's refusals the page expects and shows (a field error, the role
   * probe's 403).
   */
  /** Opens the web page at {@code base} and signs in with {@code token}: live once it returns. */
  void signIn(String base, String token) {
    driver.get(base + "/");
    waitUpTo(10).until(d -> d.findElement(By.id("token-input")).isDisplayed());
    driver.findElement(By.id("token-input")).sendKeys(token);
    driver.findElement(By.id("token-save")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("connection")).getText().equals("live"));
  }

  List<String> consoleErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      boolean refusal =
          e.getMessage()
              .contains("Failed to load resource: the server responded with a status of 4");
      if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !refusal) {
        errors.add(e.getMessage());
      }
    }
    return errors;
  }

  @Override
  public void close() {
    driver.quit();
  }
}

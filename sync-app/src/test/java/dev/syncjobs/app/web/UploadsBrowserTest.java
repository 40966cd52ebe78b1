package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.app.metrics.PrometheusText;
import java.io.RandomAccessFile;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The page's Uploads section in headless Chromium, with tus-js-client against the real server:
 * files picked in the browser land at their target, the server's refusals show next to the file, an
 * upload broken off by a reload continues from the server's offset, and a viewer sees no upload
 * control. Screenshots go to target/screenshots/.
 */
class UploadsBrowserTest extends PageSession {
  static final int MIB = 1024 * 1024;

  void signIn(String token) throws Exception {
    chromium = HeadlessChromium.start(tmp, "UploadsBrowserTest");
    driver = chromium.driver;
    s = new TestServer(tmp);
    chromium.signIn(s.base(), token);
  }

  void folder(String value) {
    WebElement e = driver.findElement(By.id("upload-folder"));
    e.clear();
    e.sendKeys(value);
  }

  void pick(Path... files) {
    List<String> paths = java.util.Arrays.stream(files).map(Path::toString).toList();
    driver.findElement(By.id("upload-files")).sendKeys(String.join("\n", paths));
  }

  /** The newest row of {@code name} (rows are added on top). */
  WebElement newest(String name) {
    return driver
        .findElements(By.cssSelector("#upload-list li.upload[data-file-name='" + name + "']"))
        .get(0);
  }

  int rows(String name) {
    return driver
        .findElements(By.cssSelector("#upload-list li.upload[data-file-name='" + name + "']"))
        .size();
  }

  void awaitStatus(String name, String status, int seconds) {
    chromium
        .waitUpTo(seconds)
        .until(d -> rows(name) > 0 && status.equals(newest(name).getAttribute("data-status")));
  }

  Path file(String name, int size, long seed) throws Exception {
    return Files.write(
        Files.createDirectories(tmp.resolve("picked")).resolve(name), random(size, seed));
  }

  @Test
  void uploads_picked_files_to_their_target_and_shows_the_servers_refusal_next_to_the_file()
      throws Exception {
    Path a = file("a.bin", 3 * MIB + 17, 1);
    Path b = file("b.bin", MIB, 2);
    signIn(TestServer.ADMIN);
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("uploads")).isDisplayed());
    assertThat(driver.findElement(By.id("upload-backend")).getAttribute("value"))
        .isEqualTo("default");

    folder("web/in");
    pick(a, b);
    awaitStatus("a.bin", "done", 60);
    awaitStatus("b.bin", "done", 60);
    assertThat(
            newest("a.bin")
                .findElement(By.cssSelector(".progress-bar"))
                .getAttribute("aria-valuenow"))
        .isEqualTo("100");
    Path placed = s.dataDir.resolve("storage/web/in");
    assertThat(sha256(Files.readAllBytes(placed.resolve("a.bin"))))
        .isEqualTo(sha256(Files.readAllBytes(a)));
    assertThat(sha256(Files.readAllBytes(placed.resolve("b.bin"))))
        .isEqualTo(sha256(Files.readAllBytes(b)));

    pick(a);
    chromium.waitUpTo(10).until(d -> rows("a.bin") == 2);
    awaitStatus("a.bin", "failed", 30);
    assertThat(newest("a.bin").findElement(By.cssSelector(".upload-error")).getText())
        .contains("HTTP 409");

    folder("../outside");
    pick(b);
    chromium.waitUpTo(10).until(d -> rows("b.bin") == 2);
    awaitStatus("b.bin", "failed", 30);
    assertThat(newest("b.bin").findElement(By.cssSelector(".upload-error")).getText())
        .contains("HTTP 400")
        .contains("file_path");
    assertThat(s.dataDir.resolve("outside")).doesNotExist();

    // a sparse file larger than the backend's free space (507), or than its whole file system
    // (413) when the two are too close to fall between
    FileStore store = Files.getFileStore(s.dataDir);
    long gap = store.getTotalSpace() - store.getUsableSpace();
    boolean between = gap >= 1L << 30;
    Path huge = tmp.resolve("picked/huge.iso");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(between ? store.getUsableSpace() + gap / 2 : store.getTotalSpace() + 1);
    }
    folder("isos");
    pick(huge);
    awaitStatus("huge.iso", "failed", 30);
    assertThat(newest("huge.iso").findElement(By.cssSelector(".upload-error")).getText())
        .contains(between ? "HTTP 507" : "HTTP 413")
        .contains("backend default");
    assertThat(Files.size(chromium.screenshot("uploads"))).isPositive();
  }

  @Test
  void an_upload_broken_off_by_a_reload_continues_from_the_servers_offset() throws Exception {
    int size = 12 * MIB;
    Path c = file("c.bin", size, 3);
    signIn(TestServer.ADMIN);
    TestServer.Response limit =
        s.send(
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            TestServer.ADMIN,
            "{\"upload_speed_limit\":" + 2 * MIB + "}",
            null);
    assertThat(limit.status()).as(limit.body()).isEqualTo(200);
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("uploads")).isDisplayed());
    folder("web/slow");
    pick(c);

    String url =
        chromium
            .waitUpTo(20)
            .until(
                d ->
                    (String)
                        ((JavascriptExecutor) d)
                            .executeScript(
                                "for (let i = 0; i < localStorage.length; i++) {"
                                    + " const k = localStorage.key(i);"
                                    + " if (k.startsWith('tus::syncjobs|')) {"
                                    + "   return JSON.parse(localStorage.getItem(k)).uploadUrl; } }"
                                    + " return null;"));
    String id = url.substring(url.lastIndexOf('/') + 1);
    UploadClient tus = new UploadClient(s.server.port(), TestServer.ADMIN);
    // the page sends 8 MiB to a PATCH: once the first is stored, the second is under way
    chromium.waitUpTo(30).until(d -> offset(tus, id) >= 8 * MIB);
    assertThat(newest("c.bin").getAttribute("data-status")).isEqualTo("uploading");

    driver.navigate().refresh();
    By unfinished = By.cssSelector("#upload-unfinished li.unfinished[data-file-name='c.bin']");
    chromium.waitUpTo(10).until(d -> d.findElement(unfinished).isDisplayed());
    assertThat(driver.findElements(By.cssSelector("#upload-list li.upload"))).isEmpty();
    assertThat(driver.findElement(By.id("upload-folder")).getAttribute("value"))
        .isEqualTo("web/slow");
    long before = offset(tus, id);
    assertThat(before).isGreaterThanOrEqualTo(8 * MIB).isLessThan(size);
    chromium.screenshot("uploads-interrupted");

    pick(c);
    awaitStatus("c.bin", "done", 60);
    long resumedFrom = Long.parseLong(newest("c.bin").getAttribute("data-resumed-from"));
    System.err.println(
        "UploadsBrowserTest: offset after the reload " + before + ", resumed from " + resumedFrom);
    assertThat(resumedFrom).isGreaterThanOrEqualTo(before);
    assertThat(s.get("/api/v1/sync/upload/" + id + "/progress").data().get("status").asText())
        .isEqualTo("completed");
    assertThat(PrometheusText.parse(s.get("/metrics").body()).value("syncjobs_upload_bytes_total"))
        .isEqualTo(size);
    assertThat(sha256(Files.readAllBytes(s.dataDir.resolve("storage/web/slow/c.bin"))))
        .isEqualTo(sha256(Files.readAllBytes(c)));
    chromium.waitUpTo(10).until(d -> !d.findElement(By.id("upload-unfinished")).isDisplayed());
    assertThat(Files.size(chromium.screenshot("uploads-resumed"))).isPositive();
  }

  @Test
  void a_viewer_sees_no_upload_control() throws Exception {
    signIn(TestServer.VIEWER);
    chromium
        .waitUpTo(10)
        .until(
            d -> "false".equals(d.findElement(By.id("uploads")).getAttribute("data-may-upload")));
    assertThat(driver.findElement(By.id("uploads")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.id("upload-files")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.id("upload-drop")).isDisplayed()).isFalse();
  }

  static long offset(UploadClient tus, String id) {
    UploadClient.Response r =
        tus.send("HEAD", "/api/v1/tus/" + id, null, Map.of("Tus-Resumable", "1.0.0"));
    assertThat(r.status()).isEqualTo(200);
    return Long.parseLong(r.header("Upload-Offset"));
  }
}

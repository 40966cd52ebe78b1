package dev.syncjobs.app.web;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;

/**
 * What a browser test of the web page holds: its temporary folder, the server, headless Chromium
 * and its driver, each closed after every test when the test opened it.
 */
abstract class PageSession {
  @TempDir Path tmp;
  TestServer s;
  HeadlessChromium chromium;
  WebDriver driver;

  @AfterEach
  void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (s != null) {
      s.close();
    }
  }
}

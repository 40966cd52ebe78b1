package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Swagger UI at /api/docs in headless Chromium: the page asks for a token (the document is an
 * /api/v1 path), refuses a wrong one, and renders the server's operations with the viewer's.
 */
class SwaggerUiBrowserTest {
  @TempDir Path tmp;

  @Test
  void api_docs_render_the_operations_of_the_openapi_document() throws Exception {
    try (HeadlessChromium chromium = HeadlessChromium.start(tmp, "SwaggerUiBrowserTest");
        TestServer s = new TestServer(tmp)) {
      chromium.driver.get(s.base() + OpenApiDocs.UI_PATH);
      By form = By.id("token-form");
      chromium.waitUpTo(10).until(d -> d.findElement(form).isDisplayed());
      assertThat(chromium.driver.findElements(By.cssSelector(".opblock"))).isEmpty();
      signIn(chromium, "not-a-token");
      chromium
          .waitUpTo(10)
          .until(d -> d.findElement(By.id("token-error")).getText().contains("not accepted"));
      assertThat(chromium.driver.findElement(form).isDisplayed()).isTrue();
      signIn(chromium, TestServer.VIEWER);
      By op = By.cssSelector(".opblock");
      chromium.waitUpTo(20).until(d -> d.findElements(op).size() >= 30);
      assertThat(chromium.driver.findElement(By.cssSelector(".info .title")).getText())
          .startsWith("syncjobs");
      assertThat(chromium.driver.findElements(By.cssSelector(".opblock-summary-path")))
          .extracting(e -> e.getAttribute("data-path"))
          .contains("/api/v1/storage/sync-jobs/{id}", "/api/v1/settings/notifications/test");
      assertThat(chromium.driver.findElement(By.cssSelector(".btn.authorize")).isDisplayed())
          .isTrue();
      assertThat(Files.size(chromium.screenshot("api-docs"))).isPositive();
      assertThat(chromium.driver.findElement(form).isDisplayed()).isFalse();
      // the refused token's 401 is Chromium's network line for an expected answer, nothing else
      assertThat(chromium.consoleErrors()).isEmpty();
    }
  }

  private static void signIn(HeadlessChromium chromium, String token) {
    chromium.driver.findElement(By.id("token-input")).sendKeys(token);
    chromium.driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
  }
}

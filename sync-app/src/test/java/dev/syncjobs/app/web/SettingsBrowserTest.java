package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.notify.WebhookReceiver;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The page's Settings section in headless Chromium against a real server: bandwidth and
 * notification settings saved, reloaded and sent as a test; the API's refusals next to their
 * fields; a viewer who sees the values and no control that would answer 403.
 */
class SettingsBrowserTest extends PageSession {
  static final String BANDWIDTH = "/api/v1/sync/bandwidth/limit";
  static final String NOTIFICATIONS = "/api/v1/settings/notifications";

  void signIn(String token) throws Exception {
    chromium = HeadlessChromium.start(tmp, "SettingsBrowserTest");
    driver = chromium.driver;
    chromium.signIn(s.base(), token);
    awaitLoaded();
  }

  void awaitLoaded() {
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("settings")).isDisplayed());
    chromium
        .waitUpTo(10)
        .until(d -> !input("#notifications-form", "format").getAttribute("value").isEmpty());
    chromium
        .waitUpTo(10)
        .until(d -> !d.findElement(By.cssSelector("[data-state-of='secret']")).getText().isEmpty());
  }

  WebElement input(String form, String name) {
    return driver.findElement(By.cssSelector(form + " [name='" + name + "']"));
  }

  void type(String form, String name, String value) {
    WebElement e = input(form, name);
    e.clear();
    e.sendKeys(value);
  }

  void check(String form, String name, boolean on) {
    WebElement e = input(form, name);
    if (e.isSelected() != on) {
      e.click();
    }
  }

  String errorOf(String form, String field) {
    return driver
        .findElement(By.cssSelector(form + " .error[data-field='" + field + "']"))
        .getText();
  }

  void save(String form) {
    driver.findElement(By.cssSelector(form + " button.save")).click();
  }

  void awaitSaved(String form) {
    chromium
        .waitUpTo(10)
        .until(
            d -> d.findElement(By.cssSelector(form + " .form-status")).getText().equals("Saved."));
  }

  @Test
  void settings_are_saved_sent_as_a_test_and_shown_again_after_a_reload() throws Exception {
    s = new TestServer(tmp);
    try (WebhookReceiver receiver = new WebhookReceiver(200)) {
      signIn(TestServer.ADMIN);
      String bw = "#bandwidth-form";
      type(bw, "download_speed_limit", "1.5");
      type(bw, "upload_speed_limit", "300");
      new Select(input(bw, "upload_speed_limit_unit")).selectByVisibleText("KiB/s");
      check(bw, "throttle_enabled", true);
      new Select(input(bw, "throttle_start_hour")).selectByVisibleText("22:00");
      new Select(input(bw, "throttle_end_hour")).selectByVisibleText("06:00");
      save(bw);
      awaitSaved(bw);
      JsonNode b = s.get(BANDWIDTH).data();
      assertThat(b.get("download_speed_limit").asLong()).isEqualTo(1_572_864);
      assertThat(b.get("upload_speed_limit").asLong()).isEqualTo(300 * 1024);
      assertThat(b.get("throttle_enabled").asBoolean()).isTrue();
      assertThat(b.get("throttle_start_hour").asInt()).isEqualTo(22);
      assertThat(b.get("throttle_end_hour").asInt()).isEqualTo(6);

      String nf = "#notifications-form";
      type(nf, "webhook_url", receiver.url("/hook").toString());
      new Select(input(nf, "format")).selectByValue("generic");
      type(nf, "secret", "hmac-key");
      check(nf, "on_success", true);
      check(nf, "on_start", false);
      save(nf);
      awaitSaved(nf);
      assertThat(driver.findElement(By.cssSelector("[data-state-of='secret']")).getText())
          .isEqualTo("Signing secret: stored");
      assertThat(input(nf, "secret").getAttribute("value")).isEmpty();

      driver.findElement(By.id("notifications-test")).click();
      By outcome = By.cssSelector("#notifications-test-result li[data-channel]");
      chromium.waitUpTo(20).until(d -> !d.findElements(outcome).isEmpty());
      assertThat(driver.findElement(outcome).getText()).startsWith("webhook (generic): ok");
      assertThat(receiver.requests()).hasSize(1);
      assertThat(receiver.requests().get(0).header("X-Syncjobs-Signature")).startsWith("sha256=");

      check(nf, "email_enabled", true);
      type(nf, "email.smtp_host", "smtp.example.org");
      type(nf, "email.smtp_port", "2525");
      type(nf, "email.username", "mailer");
      type(nf, "email.password", "smtp-pass");
      type(nf, "email.from", "syncjobs@example.org");
      type(nf, "email.to", "ops@example.org, oncall@example.org");
      save(nf);
      awaitSaved(nf);
      JsonNode n = s.get(NOTIFICATIONS).data();
      assertThat(n.get("webhook_url").asText()).isEqualTo(receiver.url("/hook").toString());
      assertThat(n.get("secret_set").asBoolean()).isTrue();
      assertThat(n.get("on_success").asBoolean()).isTrue();
      assertThat(n.get("on_failure").asBoolean()).isTrue();
      assertThat(n.get("email").get("smtp_port").asInt()).isEqualTo(2525);
      assertThat(n.get("email").get("password_set").asBoolean()).isTrue();
      assertThat(n.get("email").get("to")).hasSize(2);

      driver.navigate().refresh();
      chromium.waitUpTo(10).until(d -> d.findElement(By.id("connection")).getText().equals("live"));
      awaitLoaded();
      chromium
          .waitUpTo(10)
          .until(d -> input(bw, "download_speed_limit").getAttribute("value").equals("1.5"));
      assertThat(input(bw, "download_speed_limit_unit").getAttribute("value")).isEqualTo("1048576");
      assertThat(input(bw, "upload_speed_limit").getAttribute("value")).isEqualTo("300");
      assertThat(input(bw, "upload_speed_limit_unit").getAttribute("value")).isEqualTo("1024");
      assertThat(input(bw, "throttle_enabled").isSelected()).isTrue();
      assertThat(new Select(input(bw, "throttle_start_hour")).getFirstSelectedOption().getText())
          .isEqualTo("22:00");
      assertThat(new Select(input(bw, "throttle_end_hour")).getFirstSelectedOption().getText())
          .isEqualTo("06:00");
      assertThat(input(nf, "webhook_url").getAttribute("value"))
          .isEqualTo(receiver.url("/hook").toString());
      assertThat(input(nf, "on_success").isSelected()).isTrue();
      assertThat(input(nf, "on_failure").isSelected()).isTrue();
      assertThat(input(nf, "on_start").isSelected()).isFalse();
      assertThat(input(nf, "email_enabled").isSelected()).isTrue();
      assertThat(input(nf, "email.smtp_host").getAttribute("value")).isEqualTo("smtp.example.org");
      assertThat(input(nf, "email.to").getAttribute("value"))
          .isEqualTo("ops@example.org, oncall@example.org");
      assertThat(driver.findElement(By.cssSelector("[data-state-of='email.password']")).getText())
          .isEqualTo("SMTP password: stored");
      chromium.screenshot("settings-saved");

      // a save that leaves the secrets out keeps them
      check(nf, "on_start", true);
      save(nf);
      awaitSaved(nf);
      n = s.get(NOTIFICATIONS).data();
      assertThat(n.get("on_start").asBoolean()).isTrue();
      assertThat(n.get("secret_set").asBoolean()).isTrue();
      assertThat(n.get("email").get("password_set").asBoolean()).isTrue();
      assertThat(chromium.consoleErrors()).isEmpty();
    }
  }

  @Test
  void a_value_the_api_refuses_is_shown_next_to_its_field_and_nothing_is_saved() throws Exception {
    s = new TestServer(tmp);
    signIn(TestServer.ADMIN);
    String bw = "#bandwidth-form";
    type(bw, "upload_speed_limit", "-2");
    type(bw, "download_speed_limit", "fast");
    save(bw);
    chromium.waitUpTo(10).until(d -> !errorOf(bw, "upload_speed_limit").isEmpty());
    assertThat(errorOf(bw, "upload_speed_limit")).contains("bytes per second");
    assertThat(errorOf(bw, "download_speed_limit")).contains("bytes per second");
    assertThat(input(bw, "upload_speed_limit").getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(s.get(BANDWIDTH).data().get("upload_speed_limit").isNull()).isTrue();

    String nf = "#notifications-form";
    type(nf, "webhook_url", "ftp://example.org/hook");
    check(nf, "email_enabled", true);
    type(nf, "email.smtp_host", "smtp.example.org");
    type(nf, "email.from", "syncjobs@example.org");
    type(nf, "email.to", "not an address");
    save(nf);
    chromium.waitUpTo(10).until(d -> !errorOf(nf, "webhook_url").isEmpty());
    assertThat(errorOf(nf, "webhook_url")).contains("http or https");
    assertThat(errorOf(nf, "email.to")).contains("email address");
    assertThat(errorOf(nf, "format")).isEmpty();
    assertThat(input(nf, "webhook_url").getAttribute("class")).contains("invalid");
    assertThat(s.get(NOTIFICATIONS).data().get("webhook_url").isNull()).isTrue();
    assertThat(Files.size(chromium.screenshot("settings-field-errors"))).isPositive();

    type(nf, "webhook_url", "https://hooks.example.org/x");
    type(nf, "email.to", "ops@example.org");
    save(nf);
    awaitSaved(nf);
    assertThat(errorOf(nf, "webhook_url")).isEmpty();
    assertThat(errorOf(nf, "email.to")).isEmpty();
    assertThat(chromium.consoleErrors()).isEmpty();
  }

  @Test
  void a_viewer_sees_the_values_and_no_control_that_would_change_anything() throws Exception {
    s = new TestServer(tmp);
    assertThat(
            s.send(
                    "PUT",
                    BANDWIDTH,
                    TestServer.ADMIN,
                    "{\"download_speed_limit\":2097152,\"throttle_enabled\":true,"
                        + "\"throttle_start_hour\":1,\"throttle_end_hour\":5}",
                    null)
                .status())
        .isEqualTo(200);
    assertThat(
            s.send(
                    "PUT",
                    NOTIFICATIONS,
                    TestServer.ADMIN,
                    "{\"webhook_url\":\"https://hooks.example.org/v\",\"format\":\"ntfy\","
                        + "\"secret\":\"k\"}",
                    null)
                .status())
        .isEqualTo(200);
    signIn(TestServer.VIEWER);
    chromium
        .waitUpTo(10)
        .until(
            d -> "false".equals(d.findElement(By.id("settings")).getAttribute("data-may-change")));
    chromium
        .waitUpTo(10)
        .until(
            d ->
                input("#bandwidth-form", "download_speed_limit").getAttribute("value").equals("2"));
    assertThat(input("#notifications-form", "webhook_url").getAttribute("value"))
        .isEqualTo("https://hooks.example.org/v");
    assertThat(
            new Select(input("#notifications-form", "format")).getFirstSelectedOption().getText())
        .isEqualTo("ntfy");
    assertThat(driver.findElement(By.cssSelector("[data-state-of='secret']")).getText())
        .isEqualTo("Signing secret: stored");

    WebElement settings = driver.findElement(By.id("settings"));
    for (WebElement e : settings.findElements(By.cssSelector("input, select, textarea"))) {
      assertThat(e.isEnabled()).as(e.getAttribute("name")).isFalse();
    }
    List<WebElement> shownButtons =
        settings.findElements(By.tagName("button")).stream()
            .filter(WebElement::isDisplayed)
            .toList();
    assertThat(shownButtons).isEmpty();
    assertThat(settings.findElements(By.cssSelector("input[type=password]")))
        .allSatisfy(e -> assertThat(e.isDisplayed()).isFalse());

    chromium.waitUpTo(10).until(d -> d.findElement(By.id("backends")).isDisplayed());
    assertThat(driver.findElement(By.id("backends")).findElements(By.cssSelector("button, input")))
        .isEmpty();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("audit")).isDisplayed());
    chromium
        .waitUpTo(10)
        .until(d -> !d.findElements(By.cssSelector("#audit-list tbody tr")).isEmpty());
    // the audit log's controls only read: its pager and filters, and a resource id as a filter
    for (WebElement b : driver.findElement(By.id("audit")).findElements(By.tagName("button"))) {
      assertThat(b.getAttribute("id") + " " + b.getAttribute("class"))
          .matches("audit-newer .*|audit-older .*| link resource-id");
    }
    assertThat(Files.size(chromium.screenshot("settings-viewer"))).isPositive();
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}

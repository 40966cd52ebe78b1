package dev.syncjobs.app.notify;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static dev.syncjobs.core.port.PortsUnderTest.manualRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.testing.Await;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveringNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemoryRunLog runLog = new InMemoryRunLog();
  private final InMemorySettingsRepository repository = new InMemorySettingsRepository();
  private final NotificationSettingsStore store =
      new NotificationSettingsStore(repository, new SealedSecrets(new byte[32]));
  private DeliveringNotifier notifier;

  private final Job job = job("nightly", T0);
  private final Run started = manualRun(job.id(), T0).claimed("here", T0, T0.plusSeconds(30));
  private final Run failed =
      started.completed(
          new RunOutcome(
              RunStatus.FAILED, new Progress(3, 10, 300, 1000, null, 0), "connection reset", null),
          T0.plusSeconds(5));

  @AfterEach
  void close() {
    if (notifier != null) {
      notifier.close();
    }
  }

  private void open(DeniedNetworks denied) {
    notifier =
        new DeliveringNotifier(store, runLog, denied, Duration.ofSeconds(2), Duration.ofMillis(50));
  }

  private void webhook(URI url, String secret) {
    store.save(
        new NotificationSettings(
            url, NotificationSettings.Format.GENERIC, secret, null, true, true, true, false));
  }

  private String logOf(Run r) {
    return runLog.read(r.id());
  }

  @Test
  void retries_until_the_receiver_answers_and_signs_every_try() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(500, 502, 200)) {
      open(DeniedNetworks.DEFAULT);
      webhook(receiver.url("/hook"), "s3cret");

      notifier.runFinished(job, failed);

      Await.until("the delivery", WAIT, () -> logOf(failed).contains("notified webhook (generic)"));
      assertThat(logOf(failed)).contains("notified webhook (generic) of run.failed: HTTP 200");
      List<WebhookReceiver.Request> got = receiver.requests();
      assertThat(got).hasSize(3);
      for (WebhookReceiver.Request r : got) {
        assertThat(r.header("X-Syncjobs-Signature"))
            .isEqualTo("sha256=" + WebhookSender.hmac("s3cret", r.body()));
      }
      JsonNode body = JSON.readTree(got.get(2).body());
      assertThat(body.get("event").asText()).isEqualTo("run.failed");
      assertThat(body.get("status").asText()).isEqualTo("failed");
      assertThat(body.get("error").asText()).isEqualTo("connection reset");
      assertThat(body.get("files_synced").asLong()).isEqualTo(3);
      assertThat(body.get("bytes_transferred").asLong()).isEqualTo(300);
    }
  }

  @Test
  void gives_up_after_three_tries_and_says_so_in_the_run_log() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(503)) {
      open(DeniedNetworks.DEFAULT);
      webhook(receiver.url("/hook"), null);

      notifier.runFinished(job, failed);

      Await.until("giving up", WAIT, () -> logOf(failed).contains("notification failed"));
      assertThat(logOf(failed))
          .contains("notification failed: webhook (generic) of run.failed: HTTP 503 (3 tries)");
      assertThat(receiver.requests()).hasSize(3);
      assertThat(receiver.requests().get(0).header("X-Syncjobs-Signature")).isNull();
    }
  }

  @Test
  void never_connects_into_a_denied_network() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(200)) {
      open(DeniedNetworks.parse("127.0.0.0/8,::1/128"));
      webhook(receiver.url("/hook"), null);

      notifier.runFinished(job, failed);

      Await.until("giving up", WAIT, () -> logOf(failed).contains("notification failed"));
      assertThat(logOf(failed)).contains("denied network 127.0.0.0/8");
      assertThat(receiver.requests()).isEmpty();
    }
  }

  @Test
  void sends_only_the_events_the_settings_ask_for() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(200)) {
      open(DeniedNetworks.DEFAULT);
      store.save(
          new NotificationSettings(
              receiver.url("/hook"),
              NotificationSettings.Format.GENERIC,
              null,
              null,
              false,
              false,
              true,
              false));

      notifier.runStarted(job, started);
      notifier.runFinished(job, failed);

      Await.until("the failure", WAIT, () -> logOf(failed).contains("notified"));
      Await.until("nothing waiting", WAIT, () -> notifier.waiting() == 0);
      assertThat(receiver.requests()).hasSize(1);
      assertThat(JSON.readTree(receiver.requests().get(0).body()).get("event").asText())
          .isEqualTo("run.failed");
    }
  }

  @Test
  void hands_events_over_at_once_and_keeps_at_most_the_bounded_number_waiting() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.hanging()) {
      open(DeniedNetworks.DEFAULT);
      webhook(receiver.url("/hook"), null);

      long t0 = System.nanoTime();
      for (int i = 0; i < DeliveringNotifier.MAX_QUEUED + 200; i++) {
        notifier.runFinished(job, failed);
      }
      long millis = (System.nanoTime() - t0) / 1_000_000;

      // a call that waited for the receiver would take the 2 s timeout; these only log and queue
      assertThat(millis).isLessThan(5000);
      assertThat(notifier.waiting()).isLessThanOrEqualTo(DeliveringNotifier.MAX_QUEUED);
      Await.until(
          "a dropped event on record",
          WAIT,
          () -> logOf(failed).contains("notification dropped: too many waiting"));
    }
  }

  @Test
  void mails_through_smtp_with_authentication() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try {
      smtp.setUser("ops@example.org", "mailer", "mail-pass");
      open(DeniedNetworks.DEFAULT);
      store.save(
          new NotificationSettings(
              null,
              NotificationSettings.Format.GENERIC,
              null,
              new NotificationSettings.Email(
                  "127.0.0.1",
                  smtp.getSmtp().getPort(),
                  false,
                  "mailer",
                  "mail-pass",
                  "syncjobs@example.org",
                  List.of("ops@example.org", "oncall@example.org")),
              false,
              false,
              true,
              false));

      notifier.runFinished(job, failed);

      assertThat(smtp.waitForIncomingEmail(20_000, 1)).as(() -> logOf(failed)).isTrue();
      MimeMessage m = smtp.getReceivedMessages()[0];
      assertThat(m.getSubject()).isEqualTo("syncjobs: nightly failed: connection reset");
      assertThat(m.getFrom()[0].toString()).isEqualTo("syncjobs@example.org");
      assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(m))
          .contains("error: connection reset")
          .contains("files synced: 3");
      Await.until("the log line", WAIT, () -> logOf(failed).contains("notified email to"));
      assertThat(logOf(failed))
          .contains("notified email to ops@example.org, oncall@example.org of run.failed: sent");
    } finally {
      smtp.stop();
    }
  }

  @Test
  void refuses_to_mail_in_clear_text_when_starttls_is_asked_for_and_not_offered() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try {
      smtp.setUser("ops@example.org", "mailer", "mail-pass");
      open(DeniedNetworks.DEFAULT);
      store.save(
          new NotificationSettings(
              null,
              NotificationSettings.Format.GENERIC,
              null,
              new NotificationSettings.Email(
                  "127.0.0.1",
                  smtp.getSmtp().getPort(),
                  true,
                  "mailer",
                  "mail-pass",
                  "syncjobs@example.org",
                  List.of("ops@example.org")),
              false,
              false,
              true,
              false));

      notifier.runFinished(job, failed);

      Await.until("giving up", WAIT, () -> logOf(failed).contains("notification failed"));
      assertThat(logOf(failed)).containsIgnoringCase("STARTTLS");
      assertThat(smtp.getReceivedMessages()).isEmpty();
    } finally {
      smtp.stop();
    }
  }
}

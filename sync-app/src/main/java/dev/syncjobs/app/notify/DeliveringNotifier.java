package dev.syncjobs.app.notify;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.Notifier;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.run.LogNotifier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Notifier} of the server: announces runs through the channels of the shared {@link
 * NotificationSettings} (webhook, email), for the events they ask for.
 *
 * <p>A run only hands its event over: the settings are read, the message built and sent on this
 * notifier's own threads, so a slow, hanging or absent receiver never delays or fails a run. At
 * most {@link #MAX_QUEUED} events wait (beyond that an event is dropped, and its run's log says
 * so); each channel is tried up to three times, waiting {@code backoff}, then four times that,
 * between tries; every outcome is a line of the run's log ("notified …" or "notification failed:
 * …"). Only the instance that executed a run calls its notifier, so in cluster mode an event is
 * sent once.
 */
public final class DeliveringNotifier implements Notifier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveringNotifier.class);

  /** Events waiting or being delivered, at most. */
  static final int MAX_QUEUED = 1000;

  static final int TRIES = 3;

  private final NotificationSettingsStore settings;
  private final RunLog runLog;
  private final WebhookSender webhooks;
  private final EmailSender mail;
  private final Duration backoff;
  private final ScheduledThreadPoolExecutor executor;
  private final AtomicInteger queued = new AtomicInteger();

  /** Every run's end also goes to the server log, as without notifications. */
  private final Notifier serverLog = new LogNotifier();

  /**
   * @param denied networks no webhook or SMTP host may resolve into
   * @param timeout connect and read timeout of one try
   * @param backoff the wait before the second try (the third waits four times as long)
   */
  public DeliveringNotifier(
      NotificationSettingsStore settings,
      RunLog runLog,
      DeniedNetworks denied,
      Duration timeout,
      Duration backoff) {
    this.settings = settings;
    this.runLog = runLog;
    this.webhooks = new WebhookSender(denied, timeout);
    this.mail = new EmailSender(denied, timeout);
    this.backoff = backoff;
    this.executor =
        new ScheduledThreadPoolExecutor(
            2,
            r -> {
              Thread t = new Thread(r, "syncjobs-notify");
              t.setDaemon(true);
              return t;
            });
    executor.setKeepAliveTime(30, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    executor.setRemoveOnCancelPolicy(true);
  }

  /** With the server's defaults: 10 s per try, 2 s then 8 s between tries. */
  public static DeliveringNotifier withDefaults(
      NotificationSettingsStore settings, RunLog runLog, DeniedNetworks denied) {
    return new DeliveringNotifier(
        settings, runLog, denied, Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  @Override
  public void runStarted(Job job, Run run) {
    serverLog.runStarted(job, run);
    offer(new RunEvent(RunEvent.Kind.STARTED, job, run));
  }

  @Override
  public void runFinished(Job job, Run run) {
    serverLog.runFinished(job, run);
    offer(RunEvent.finished(job, run));
  }

  private void offer(RunEvent e) {
    try {
      if (queued.incrementAndGet() > MAX_QUEUED) {
        queued.decrementAndGet();
        log.warn("notification of run {} dropped: {} events are waiting", e.run().id(), MAX_QUEUED);
        // not behind the waiting deliveries: the note would wait as long as they do
        CompletableFuture.runAsync(() -> append(e, "notification dropped: too many waiting"));
        return;
      }
      executor.execute(() -> deliver(e));
    } catch (RuntimeException ex) {
      // a notifier must not throw into a run (a closed executor, say)
      log.warn("notification of run {} not sent: {}", e.run().id(), ex.toString());
    }
  }

  /** Starts a delivery on every channel the settings configure for this event. */
  private void deliver(RunEvent e) {
    List<Channel> channels;
    try {
      channels = channels(settings.current(), e);
    } catch (RuntimeException ex) {
      append(e, "notification failed: " + ex.getMessage());
      queued.decrementAndGet();
      return;
    }
    if (channels.isEmpty()) {
      queued.decrementAndGet();
      return;
    }
    AtomicInteger open = new AtomicInteger(channels.size());
    for (Channel c : channels) {
      attempt(e, c, 1, open);
    }
  }

  private void attempt(RunEvent e, Channel c, int tryNo, AtomicInteger open) {
    String outcome;
    try {
      outcome = c.send();
    } catch (IOException | RuntimeException ex) {
      String why = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      if (tryNo < TRIES) {
        long wait = backoff.toMillis() * (tryNo == 1 ? 1 : 4);
        try {
          executor.schedule(() -> attempt(e, c, tryNo + 1, open), wait, TimeUnit.MILLISECONDS);
          return;
        } catch (RuntimeException closed) {
          // shutting down: report this try as the last
        }
      }
      append(
          e,
          "notification failed: "
              + c.name()
              + " of "
              + e.kind().eventName()
              + ": "
              + why
              + " ("
              + tryNo
              + (tryNo == 1 ? " try)" : " tries)"));
      done(open);
      return;
    }
    append(e, "notified " + c.name() + " of " + e.kind().eventName() + ": " + outcome);
    done(open);
  }

  private void done(AtomicInteger open) {
    if (open.decrementAndGet() == 0) {
      queued.decrementAndGet();
    }
  }

  private void append(RunEvent e, String line) {
    try {
      runLog.append(e.run().id(), line);
    } catch (RuntimeException ex) {
      // the run may be gone with its job; the server log keeps the outcome
      log.info("run {}: {} (not in its log: {})", e.run().id(), line, ex.toString());
    }
  }

  /** One way of telling: a name for the log and a send. */
  private interface Channel {
    String name();

    /** Sends once; returns what to log. */
    String send() throws IOException;
  }

  private List<Channel> channels(NotificationSettings s, RunEvent e) {
    List<Channel> out = new ArrayList<>();
    if (!e.wanted(s)) {
      return out;
    }
    if (s.webhookUrl() != null) {
      WebhookMessages.Message m = WebhookMessages.of(s.format(), e);
      String name = "webhook (" + s.format().name().toLowerCase(Locale.ROOT) + ")";
      out.add(
          new Channel() {
            @Override
            public String name() {
              return name;
            }

            @Override
            public String send() throws IOException {
              return "HTTP " + webhooks.send(s.webhookUrl(), s.secret(), m);
            }
          });
    }
    if (s.email() != null) {
      NotificationSettings.Email email = s.email();
      out.add(
          new Channel() {
            @Override
            public String name() {
              return "email to " + String.join(", ", email.to());
            }

            @Override
            public String send() throws IOException {
              mail.send(email, e.headline(), WebhookMessages.details(e));
              return "sent";
            }
          });
    }
    return out;
  }

  /**
   * Sends {@code event} once through every channel of {@code s}, now, on the caller's thread (the
   * API's test button); returns each channel's outcome ("ok: …" or "failed: …").
   */
  public Map<String, String> sendNow(NotificationSettings s, RunEvent event) {
    NotificationSettings all =
        new NotificationSettings(
            s.webhookUrl(), s.format(), s.secret(), s.email(), true, true, true, true);
    Map<String, String> out = new LinkedHashMap<>();
    for (Channel c : channels(all, event)) {
      try {
        out.put(c.name(), "ok: " + c.send());
      } catch (IOException | RuntimeException ex) {
        out.put(c.name(), "failed: " + ex.getMessage());
      }
    }
    return out;
  }

  /** Events handed over and not yet delivered or given up. */
  int waiting() {
    return queued.get();
  }

  /** Stops taking events; deliveries under way get up to 2 seconds (a stop must stay quick). */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}

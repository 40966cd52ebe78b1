package dev.syncjobs.app.web;

import dev.syncjobs.app.notify.DeliveringNotifier;
import dev.syncjobs.app.notify.NotificationSettings;
import dev.syncjobs.app.notify.NotificationSettingsJson;
import dev.syncjobs.app.notify.NotificationSettingsStore;
import dev.syncjobs.app.notify.RunEvent;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.Trigger;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET|PUT /api/v1/settings/notifications} (secrets write-only) and {@code POST
 * /api/v1/settings/notifications/test}, which sends a made-up failed run through the stored
 * channels at once and answers each channel's outcome.
 */
public final class NotificationSettingsApi implements RouteGroup {
  static final String PATH = "/api/v1/settings/notifications";

  private final NotificationSettingsStore store;
  private final NotificationSettingsJson json;
  private final DeliveringNotifier notifier;
  private final Clock clock;

  public NotificationSettingsApi(
      NotificationSettingsStore store,
      NotificationSettingsJson json,
      DeliveringNotifier notifier,
      Clock clock) {
    this.store = store;
    this.json = json;
    this.notifier = notifier;
    this.clock = clock;
  }

  @Override
  public void register(Routes routes) {
    routes.add(HandlerType.GET, PATH, this::get);
    routes.add(HandlerType.PUT, PATH, this::put);
    routes.add(HandlerType.POST, PATH + "/test", this::test);
  }

  /** The settings as a GET shows them (for the audit trail's comparison). */
  Object current() {
    return NotificationSettingsJson.view(store.reload());
  }

  void get(Context ctx) {
    JobsApi.data(ctx, 200, NotificationSettingsJson.view(store.reload()), "ok");
  }

  void put(Context ctx) {
    NotificationSettings parsed = json.parse(Json.object(ctx), store.reload());
    NotificationSettings saved = store.save(parsed);
    JobsApi.data(ctx, 200, NotificationSettingsJson.view(saved), "notification settings saved");
  }

  void test(Context ctx) {
    NotificationSettings s = store.reload();
    Map<String, String> outcomes = notifier.sendNow(s, sample());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("channels", outcomes);
    String message =
        outcomes.isEmpty()
            ? "no channel is configured"
            : outcomes.values().stream().allMatch(v -> v.startsWith("ok"))
                ? "test notification sent"
                : "a channel failed";
    JobsApi.data(ctx, 200, out, message);
  }

  /** A failed run of a job named "syncjobs-test", as a test message shows it. */
  private RunEvent sample() {
    Instant now = clock.instant();
    Job job =
        Job.builder(
                new JobId(new UUID(0, 0)),
                "syncjobs-test",
                new Source.Http(URI.create("https://example.invalid/")),
                new Destination("default", "syncjobs-test"))
            .build();
    Run run =
        Run.pending(new RunId(new UUID(0, 1)), job.id(), Trigger.MANUAL, null, now, 0)
            .claimed("test", now, now)
            .completed(RunOutcome.failed("this is a test notification: no run failed"), now);
    return new RunEvent(RunEvent.Kind.FAILED, job, run);
  }
}

package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.AuditScope;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Wraps the handlers of changing routes so that each change is on record: the handler runs in an
 * {@link AuditScope} holding the entry its change makes (actor: the caller's role; never a token),
 * and the store that makes the change writes it in the change's transaction. A request that fails
 * before its change records nothing.
 */
public final class AuditTrail {
  /** Write-only fields: a request that sends one changes it, and it reads "changed". */
  private static final Set<String> SECRETS = Set.of("source_auth", "secret");

  /**
   * Fields whose values stay out of the trail (a certificate bundle is long, an email block holds a
   * password): a change reads "changed".
   */
  private static final Set<String> UNSHOWN = Set.of("ca_bundle", "email");

  private static final String JOBS = "/api/v1/storage/sync-jobs";
  private static final String UP = UploadsApi.BASE;
  private static final String TUS = TusApi.BASE;

  private final AuditLog log;
  private final Clock clock;
  private final SyncJobs jobs;
  private final Map<String, Supplier<Object>> settings;

  /**
   * @param settings for each settings resource ({@code bandwidth}, {@code notifications}): its
   *     route and how a GET shows its current value
   */
  /**
   * The server's trail: a settings change is recorded with the fields whose GET view it changed.
   */
  public static AuditTrail of(
      AuditLog log,
      Clock clock,
      SyncJobs jobs,
      dev.syncjobs.core.port.SettingsRepository settings,
      NotificationSettingsApi notifications) {
    return new AuditTrail(
        log,
        clock,
        jobs,
        Map.of(
            "bandwidth",
            new Settings(
                "/api/v1/sync/bandwidth/limit", () -> BandwidthJson.toJson(settings.bandwidth())),
            "notifications",
            new Settings(NotificationSettingsApi.PATH, notifications::current)));
  }

  AuditTrail(AuditLog log, Clock clock, SyncJobs jobs, Map<String, Settings> settings) {
    this.log = log;
    this.clock = clock;
    this.jobs = jobs;
    this.settings = new LinkedHashMap<>();
    this.settingsNames = new LinkedHashMap<>();
    settings.forEach(
        (name, s) -> {
          this.settings.put(s.path(), s.current());
          this.settingsNames.put(s.path(), name);
        });
  }

  private final Map<String, String> settingsNames;

  /** A settings resource: the path of its PUT and its current value as a GET shows it. */
  record Settings(String path, Supplier<Object> current) {}

  /** {@code handler} of the route {@code method path}, recording its change when it makes one. */
  Handler wrap(HandlerType method, String path, Handler handler) {
    String key = method.name() + " " + path;
    if (method == HandlerType.PUT && settings.containsKey(path)) {
      return settingsUpdated(settingsNames.get(path), settings.get(path), handler);
    }
    return switch (key) {
      case "POST " + JOBS -> jobCreated(handler);
      case "PATCH " + JOBS + "/{id}" -> jobUpdated(handler, j -> JobView.write(j, null, null));
      case "DELETE " + JOBS + "/{id}" -> jobDeleted(handler);
      case "POST " + JOBS + "/{id}/run" -> runChange("run.triggered", handler);
      case "POST " + JOBS + "/{id}/cancel" -> runChange("run.cancelled", handler);
      case "POST " + UP + "/start" -> uploadStarted("chunks", handler);
      case "POST " + TUS -> uploadStarted("tus", handler);
      case "POST " + UP + "/{upload_id}/chunk/{chunk_number}",
          "POST " + UP + "/{upload_id}/resume",
          "PATCH " + TUS + "/{upload_id}" ->
          uploadCompleted(handler);
      case "DELETE " + UP + "/{upload_id}", "DELETE " + TUS + "/{upload_id}" ->
          uploadCancelled(handler);
      default -> handler;
    };
  }

  /** {@code job.created}: the job the store inserts, named in the details. */
  Handler jobCreated(Handler h) {
    return ctx -> {
      ObjectNode body = Json.object(ctx);
      Map<String, String> d = new LinkedHashMap<>();
      d.put("name", text(body.get("name")));
      run(ctx, List.of(required(ctx, "job.created", "job", null, d)), h);
    };
  }

  /** {@code job.updated}: the fields the PATCH changes, secrets as "changed". */
  Handler jobUpdated(Handler h, Function<Job, Map<String, Object>> view) {
    return ctx -> {
      Job old = jobs.get(Ids.job(ctx.pathParam("id")));
      ObjectNode body = Json.object(ctx);
      Map<String, String> d = changedFields(Json.MAPPER.valueToTree(view.apply(old)), body);
      run(ctx, List.of(required(ctx, "job.updated", "job", id(old.id()), d)), h);
    };
  }

  /** {@code job.deleted}: its name in the details. */
  Handler jobDeleted(Handler h) {
    return ctx -> {
      Job old = jobs.get(Ids.job(ctx.pathParam("id")));
      run(ctx, List.of(required(ctx, "job.deleted", "job", id(old.id()), jobDetails(old))), h);
    };
  }

  /** {@code run.triggered} and {@code run.cancelled}: the run the store changes; the job named. */
  Handler runChange(String action, Handler h) {
    return ctx -> {
      Job job = jobs.get(Ids.job(ctx.pathParam("id")));
      run(ctx, List.of(required(ctx, action, "run", null, jobDetails(job))), h);
    };
  }

  /**
   * {@code settings.updated} for {@code name}: the fields the PUT changes, compared with {@code
   * current} (the settings' JSON as a GET shows it), secrets as "changed".
   */
  Handler settingsUpdated(String name, Supplier<Object> current, Handler h) {
    return ctx -> {
      ObjectNode body = Json.object(ctx);
      Map<String, String> d = changedFields(Json.MAPPER.valueToTree(current.get()), body);
      run(ctx, List.of(required(ctx, "settings.updated", "settings", name, d)), h);
    };
  }

  /** {@code upload.started} (and {@code upload.completed} when the request also completes it). */
  Handler uploadStarted(String protocol, Handler h) {
    return ctx -> {
      Map<String, String> d = new LinkedHashMap<>();
      d.put("protocol", protocol);
      run(
          ctx,
          List.of(
              required(ctx, "upload.started", "upload", null, d),
              optional(ctx, "upload.completed", null)),
          h);
    };
  }

  /** {@code upload.completed}, when this request is the one that completes the upload. */
  Handler uploadCompleted(Handler h) {
    return ctx -> run(ctx, List.of(optional(ctx, "upload.completed", uploadId(ctx))), h);
  }

  /** {@code upload.cancelled}. */
  Handler uploadCancelled(Handler h) {
    return ctx ->
        run(ctx, List.of(required(ctx, "upload.cancelled", "upload", uploadId(ctx), Map.of())), h);
  }

  private void run(Context ctx, List<AuditScope.Pending> entries, Handler h) throws Exception {
    try {
      AuditScope.run(
          log,
          entries,
          () -> {
            try {
              h.handle(ctx);
              return ctx;
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new Wrapped(e);
            }
          },
          AuditTrail::createdId);
    } catch (Wrapped w) {
      throw w.checked;
    }
  }

  /** A checked exception of a handler, carried through the scope's supplier. */
  private static final class Wrapped extends RuntimeException {
    final Exception checked;

    Wrapped(Exception e) {
      super(e);
      this.checked = e;
    }
  }

  /**
   * The id a create request's response names (only for stores that leave the entry to the scope:
   * the JDBC stores name it themselves).
   */
  private static String createdId(Context ctx) {
    try {
      JsonNode data = Json.MAPPER.readTree(ctx.result()).path("data");
      for (String f : List.of("id", "upload_id")) {
        if (data.hasNonNull(f)) {
          return data.get(f).asText();
        }
      }
    } catch (Exception ignored) {
      // fall through: an entry without its resource is still an entry
    }
    String location = ctx.res().getHeader("Location");
    return location == null ? "unknown" : location.substring(location.lastIndexOf('/') + 1);
  }

  private AuditScope.Pending required(
      Context ctx, String action, String type, String resourceId, Map<String, String> details) {
    return new AuditScope.Pending(
        new AuditEntry(
            clock.instant(), actor(ctx), action, type, resourceId, AuditEntry.details(details)),
        true);
  }

  private AuditScope.Pending optional(Context ctx, String action, String resourceId) {
    return new AuditScope.Pending(
        new AuditEntry(clock.instant(), actor(ctx), action, "upload", resourceId, "{}"), false);
  }

  private static String actor(Context ctx) {
    Auth.Role role = Auth.roleOf(ctx);
    return role == null ? "unknown" : role.name().toLowerCase(Locale.ROOT);
  }

  private static String uploadId(Context ctx) {
    return ctx.pathParam("upload_id");
  }

  private static String id(JobId id) {
    return id.value().toString();
  }

  private static Map<String, String> jobDetails(Job job) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("job_id", id(job.id()));
    d.put("job_name", job.name());
    return d;
  }

  /**
   * Each field of {@code body} whose value differs from {@code current}'s, with its new value;
   * secrets and certificates as "changed".
   */
  static Map<String, String> changedFields(JsonNode current, ObjectNode body) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    for (String name : names) {
      JsonNode now = body.get(name);
      if (SECRETS.contains(name)) {
        out.put(name, "changed");
      } else if (!sameValue(withoutPassword(current.get(name)), withoutPassword(now))
          || (now != null && now.has("password"))) {
        out.put(name, UNSHOWN.contains(name) ? "changed" : text(now));
      }
    }
    return out;
  }

  /** An email block as compared: its password is write-only (a GET shows password_set). */
  private static JsonNode withoutPassword(JsonNode n) {
    if (n == null || !n.isObject()) {
      return n;
    }
    ObjectNode copy = ((ObjectNode) n).deepCopy();
    copy.remove("password");
    copy.remove("password_set");
    return copy;
  }

  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || a.isNull()) {
      return b == null || b.isNull();
    }
    if (a.isNumber() && b != null && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static String text(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isTextual() ? n.asText() : n.toString();
  }
}

package dev.syncjobs.app.web;

import dev.syncjobs.core.model.BackendOfflineException;
import dev.syncjobs.core.model.BodyTooLargeException;
import dev.syncjobs.core.model.ChecksumMismatchException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.InsufficientStorageException;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.RateLimitedException;
import dev.syncjobs.core.model.ValidationException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place exceptions become RFC 9457 {@code application/problem+json} answers. */
final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {}

  static void register(Javalin app) {
    app.exception(
        ValidationException.class,
        (e, ctx) -> write(ctx, 400, "Validation failed", e.getMessage(), e.errors()));
    app.exception(
        ConflictException.class,
        (e, ctx) ->
            write(
                ctx,
                409,
                "Conflict",
                e.getMessage(),
                e.field() == null
                    ? List.of()
                    : List.of(new FieldError(e.field(), e.getMessage()))));
    app.exception(
        NotFoundException.class, (e, ctx) -> write(ctx, 404, "Not Found", e.getMessage(), null));
    app.exception(
        RateLimitedException.class,
        (e, ctx) -> {
          long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
          ctx.header("Retry-After", Long.toString(seconds));
          write(ctx, 429, "Too Many Requests", e.getMessage(), null);
        });
    app.exception(
        BackendOfflineException.class,
        (e, ctx) ->
            write(
                ctx,
                400,
                "Backend offline",
                e.getMessage(),
                List.of(new FieldError("destination_backend_id", e.getMessage()))));
    app.exception(
        ChecksumMismatchException.class,
        (e, ctx) -> {
          // tus names its own status for a checksum mismatch
          int status = ctx.path().startsWith("/api/v1/tus/") ? 460 : 400;
          write(
              ctx,
              status,
              title(status),
              e.getMessage(),
              List.of(new FieldError(e.field(), e.getMessage())));
        });
    app.exception(
        InsufficientStorageException.class,
        (e, ctx) -> {
          int status = e.tooLargeEver() ? 413 : 507;
          write(
              ctx,
              status,
              title(status),
              e.getMessage(),
              List.of(new FieldError("total_size", e.getMessage())));
        });
    app.exception(
        BodyTooLargeException.class,
        (e, ctx) ->
            write(
                ctx,
                413,
                title(413),
                e.getMessage(),
                List.of(new FieldError("Content-Length", e.getMessage()))));
    app.exception(
        ApiProblem.class, (e, ctx) -> write(ctx, e.status, e.title, e.getMessage(), null));
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          int status = e.getStatus();
          String detail =
              status == 413
                  ? "the request body is too large"
                  : status == 404 ? "no such path: " + ctx.path() : e.getMessage();
          write(ctx, status, title(status), detail, null);
        });
    app.exception(
        Exception.class,
        (e, ctx) -> {
          log.error("{} {} failed", ctx.method(), ctx.path(), e);
          write(ctx, 500, "Internal Server Error", "an internal error occurred", null);
        });
    app.error(
        404,
        ctx -> {
          if (!CONTENT_TYPE.equals(ctx.res().getContentType())) {
            write(ctx, 404, "Not Found", "no such path: " + ctx.path(), null);
          }
        });
    app.error(
        405,
        ctx -> {
          if (!CONTENT_TYPE.equals(ctx.res().getContentType())) {
            write(ctx, 405, "Method Not Allowed", ctx.method() + " is not allowed here", null);
          }
        });
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 412 -> "Precondition Failed";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 460 -> "Checksum Mismatch";
      case 507 -> "Insufficient Storage";
      default -> status >= 500 ? "Internal Server Error" : "Bad Request";
    };
  }

  static void write(Context ctx, int status, String title, String detail, List<FieldError> errors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put(
        "errors",
        errors == null
            ? List.of()
            : errors.stream()
                .map(
                    f -> {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("field", f.field());
                      m.put("message", f.message());
                      return m;
                    })
                .toList());
    ctx.status(status);
    ctx.contentType(CONTENT_TYPE);
    ctx.result(Json.write(body));
  }
}

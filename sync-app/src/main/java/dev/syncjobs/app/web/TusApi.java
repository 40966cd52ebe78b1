package dev.syncjobs.app.web;

import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.upload.TusReceiver;
import dev.syncjobs.core.upload.Uploads;
import dev.syncjobs.core.version.StorageBackends;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tus 1.0.0 protocol at {@code /api/v1/tus/}: core, creation (with upload), expiration,
 * checksum (sha1, sha256) and termination, on the same upload store as the chunked API. The target
 * comes from {@code Upload-Metadata}: {@code backend_id} (default {@code default}) and {@code
 * file_path} (default {@code uploads/<filename>}); an optional {@code sha256} is the whole file's.
 */
public final class TusApi implements RouteGroup {
  private static final Logger log = LoggerFactory.getLogger(TusApi.class);
  static final String BASE = "/api/v1/tus";
  static final String VERSION = "1.0.0";
  static final String EXTENSIONS = "creation,creation-with-upload,expiration,checksum,termination";
  static final String OFFSET_TYPE = "application/offset+octet-stream";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final Uploads uploads;
  private final StorageBackends backends;

  public TusApi(Uploads uploads, StorageBackends backends) {
    this.uploads = uploads;
    this.backends = backends;
  }

  @Override
  public void register(Routes routes) {
    routes.add(HandlerType.OPTIONS, BASE, this::options);
    routes.add(HandlerType.POST, BASE, this::create);
    routes.add(HandlerType.OPTIONS, BASE + "/{upload_id}", this::options);
    routes.add(HandlerType.HEAD, BASE + "/{upload_id}", this::head);
    routes.add(HandlerType.PATCH, BASE + "/{upload_id}", this::patch);
    routes.add(HandlerType.DELETE, BASE + "/{upload_id}", this::terminate);
  }

  void options(Context ctx) {
    ctx.header("Tus-Resumable", VERSION);
    ctx.header("Tus-Version", VERSION);
    ctx.header("Tus-Extension", EXTENSIONS);
    ctx.header("Tus-Checksum-Algorithm", "sha1,sha256");
    ctx.header("Tus-Max-Size", Long.toString(maxSize()));
    ctx.status(204);
  }

  /** The largest file an upload may be: the size of the largest online backend's file system. */
  private long maxSize() {
    long max = 0;
    for (StorageBackend b : backends.all()) {
      try {
        if (b.isOnline()) {
          max = Math.max(max, Files.getFileStore(b.root()).getTotalSpace());
        }
      } catch (IOException | RuntimeException ignored) {
        // an unreadable backend takes no uploads
      }
    }
    return max;
  }

  void create(Context ctx) {
    requireVersion(ctx);
    if (ctx.header("Upload-Defer-Length") != null) {
      throw new ValidationException("Upload-Defer-Length", "is not supported: send Upload-Length");
    }
    long length = longHeader(ctx, "Upload-Length");
    Map<String, String> meta = metadata(ctx.header("Upload-Metadata"));
    Upload u =
        uploads
            .tus()
            .create(
                meta.get("backend_id"),
                meta.get("file_path"),
                meta.get("filename"),
                length,
                meta.get("sha256"));
    ctx.header("Location", BASE + "/" + u.id());
    if (OFFSET_TYPE.equalsIgnoreCase(mediaType(ctx))) {
      try {
        u = append(ctx, u.id(), 0);
      } catch (RuntimeException e) {
        // the upload exists either way; the client asks HEAD for what was kept
        log.info(
            "tus creation-with-upload of {} kept part of its body: {}", u.id(), e.getMessage());
        u = uploads.tus().get(u.id());
      }
    }
    ctx.header("Upload-Offset", Long.toString(u.offset()));
    ctx.header("Upload-Expires", HTTP_DATE.format(u.expiresAt()));
    ctx.header("Tus-Resumable", VERSION);
    ctx.status(201);
  }

  void head(Context ctx) {
    requireVersion(ctx);
    Upload u = uploads.tus().get(UploadId.parse(ctx.pathParam("upload_id")));
    ctx.header("Tus-Resumable", VERSION);
    ctx.header("Upload-Offset", Long.toString(u.offset()));
    ctx.header("Upload-Length", Long.toString(u.totalSize()));
    ctx.header("Upload-Expires", HTTP_DATE.format(u.expiresAt()));
    ctx.status(200);
  }

  void patch(Context ctx) {
    requireVersion(ctx);
    if (!OFFSET_TYPE.equalsIgnoreCase(mediaType(ctx))) {
      throw new ApiProblem(
          415, "Unsupported Media Type", "a PATCH body must be sent as " + OFFSET_TYPE);
    }
    long offset = longHeader(ctx, "Upload-Offset");
    Upload u = append(ctx, UploadId.parse(ctx.pathParam("upload_id")), offset);
    ctx.header("Tus-Resumable", VERSION);
    ctx.header("Upload-Offset", Long.toString(u.offset()));
    ctx.header("Upload-Expires", HTTP_DATE.format(u.expiresAt()));
    ctx.status(204);
  }

  void terminate(Context ctx) {
    requireVersion(ctx);
    UploadId id = UploadId.parse(ctx.pathParam("upload_id"));
    uploads.tus().get(id);
    uploads.cancel(id);
    ctx.header("Tus-Resumable", VERSION);
    ctx.status(204);
  }

  private Upload append(Context ctx, UploadId id, long offset) {
    TusReceiver.Checksum checksum = checksum(ctx.header("Upload-Checksum"));
    try (InputStream body = ctx.req().getInputStream()) {
      return uploads.tus().append(id, offset, body, ctx.req().getContentLengthLong(), checksum);
    } catch (IOException e) {
      throw new ValidationException("body", "could not be read: " + e.getMessage());
    }
  }

  private static void requireVersion(Context ctx) {
    String v = ctx.header("Tus-Resumable");
    if (!VERSION.equals(v)) {
      ctx.header("Tus-Version", VERSION);
      throw new ApiProblem(
          412,
          "Precondition Failed",
          "send Tus-Resumable: " + VERSION + (v == null ? "" : " (got " + v + ")"));
    }
  }

  private static String mediaType(Context ctx) {
    String t = ctx.contentType();
    if (t == null) {
      return "";
    }
    int semi = t.indexOf(';');
    return (semi < 0 ? t : t.substring(0, semi)).trim();
  }

  private static long longHeader(Context ctx, String name) {
    String v = ctx.header(name);
    if (v == null || v.isBlank()) {
      throw new ValidationException(name, "is required");
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a non-negative whole number");
    }
  }

  /** {@code Upload-Checksum: <algorithm> <base64>}, or null when absent. */
  static TusReceiver.Checksum checksum(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String[] parts = header.trim().split(" +");
    if (parts.length != 2) {
      throw new ValidationException("Upload-Checksum", "must be '<algorithm> <base64 digest>'");
    }
    String algorithm = parts[0].toLowerCase(Locale.ROOT);
    int size =
        switch (algorithm) {
          case "sha1" -> 20;
          case "sha256" -> 32;
          default ->
              throw new ValidationException(
                  "Upload-Checksum", "algorithm must be sha1 or sha256 (got " + parts[0] + ")");
        };
    try {
      byte[] value = Base64.getDecoder().decode(parts[1]);
      if (value.length == size) {
        return new TusReceiver.Checksum(algorithm, value);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new ValidationException(
        "Upload-Checksum", algorithm + " must be " + size + " bytes in base64");
  }

  /** {@code Upload-Metadata}: comma-separated {@code key base64value} pairs. */
  static Map<String, String> metadata(String header) {
    Map<String, String> out = new HashMap<>();
    if (header == null || header.isBlank()) {
      return out;
    }
    for (String pair : header.split(",")) {
      String p = pair.trim();
      if (p.isEmpty()) {
        continue;
      }
      int space = p.indexOf(' ');
      String key = space < 0 ? p : p.substring(0, space);
      String value = "";
      if (space >= 0) {
        try {
          value =
              new String(
                  Base64.getDecoder().decode(p.substring(space + 1).trim()),
                  StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new ValidationException(
              "Upload-Metadata", "the value of '" + key + "' is not base64");
        }
      }
      out.put(key, value);
    }
    return out;
  }
}

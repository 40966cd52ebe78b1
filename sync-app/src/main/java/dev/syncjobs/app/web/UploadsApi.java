package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadProtocol;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.upload.ChunkReceiver;
import dev.syncjobs.core.upload.UploadProgress;
import dev.syncjobs.core.upload.Uploads;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Handlers of the chunked upload routes ({@code /api/v1/sync/upload/...}). A chunk's body is
 * streamed to the upload store, never held in memory; it may be as large as the chunk maximum,
 * while every other route keeps the small JSON body limit.
 */
public final class UploadsApi implements RouteGroup {
  static final String BASE = "/api/v1/sync/upload";

  private final Uploads uploads;

  public UploadsApi(Uploads uploads) {
    this.uploads = uploads;
  }

  @Override
  public void register(Routes routes) {
    routes.add(HandlerType.POST, BASE + "/start", this::start);
    routes.add(HandlerType.POST, BASE + "/{upload_id}/chunk/{chunk_number}", this::chunk);
    routes.add(HandlerType.GET, BASE + "/{upload_id}/progress", this::progress);
    routes.add(HandlerType.POST, BASE + "/{upload_id}/resume", this::resume);
    routes.add(HandlerType.DELETE, BASE + "/{upload_id}", this::cancel);
  }

  void start(Context ctx) {
    ObjectNode body = Json.object(ctx);
    String backend = text(body, "backend_id");
    String path = text(body, "file_path");
    if (path == null) {
      throw new ValidationException("file_path", "is required");
    }
    JsonNode total = body.get("total_size");
    if (total == null || !total.canConvertToLong() || !total.isIntegralNumber()) {
      throw new ValidationException("total_size", "is required: the file's size in bytes");
    }
    Integer chunkSize = null;
    JsonNode cs = body.get("chunk_size");
    if (cs != null && !cs.isNull()) {
      if (!cs.isIntegralNumber() || !cs.canConvertToInt()) {
        throw new ValidationException(
            "chunk_size",
            "must be " + Upload.MIN_CHUNK_SIZE + ".." + Upload.MAX_CHUNK_SIZE + " bytes");
      }
      chunkSize = cs.intValue();
    }
    Upload u =
        uploads.start(
            UploadProtocol.CHUNKS,
            backend,
            path,
            total.longValue(),
            chunkSize,
            text(body, "sha256"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("upload_id", u.id().toString());
    out.put("backend_id", u.backendId());
    out.put("file_path", u.filePath());
    out.put("total_size", u.totalSize());
    out.put("chunk_size", u.chunkSize());
    out.put("total_chunks", u.totalChunks());
    out.put("expires_at", u.expiresAt().toString());
    JobsApi.data(ctx, 201, out, "upload started");
  }

  void chunk(Context ctx) throws IOException {
    UploadId id = UploadId.parse(ctx.pathParam("upload_id"));
    int n;
    try {
      n = Integer.parseInt(ctx.pathParam("chunk_number"));
    } catch (NumberFormatException e) {
      throw new ValidationException("chunk_number", "must be a whole number");
    }
    ChunkReceiver.Expected expected = expected(ctx);
    UploadProgress p;
    try (InputStream body = ctx.req().getInputStream()) {
      p = uploads.chunks().receive(id, n, body, ctx.req().getContentLengthLong(), expected);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("chunk_number", n);
    out.put("completed_chunks", p.completedChunks());
    out.put("total_chunks", p.totalChunks());
    out.put("progress_percent", p.percent());
    out.put("status", status(p.upload()));
    JobsApi.data(ctx, 200, out, "chunk " + n + " stored");
  }

  void progress(Context ctx) {
    UploadProgress p = uploads.progress(UploadId.parse(ctx.pathParam("upload_id")));
    JobsApi.data(ctx, 200, progress(p), "ok");
  }

  void resume(Context ctx) {
    UploadProgress p = uploads.resume(UploadId.parse(ctx.pathParam("upload_id")));
    Map<String, Object> out = progress(p);
    out.put("resume_from_chunk", p.resumeFromChunk());
    JobsApi.data(ctx, 200, out, "upload resumed; its expiry moved on");
  }

  void cancel(Context ctx) {
    uploads.cancel(UploadId.parse(ctx.pathParam("upload_id")));
    ctx.status(204);
  }

  static Map<String, Object> progress(UploadProgress p) {
    Upload u = p.upload();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("upload_id", u.id().toString());
    out.put("status", status(u));
    out.put("backend_id", u.backendId());
    out.put("file_path", u.filePath());
    out.put("chunk_size", u.chunkSize());
    out.put("completed_chunks", p.completedChunks());
    out.put("total_chunks", p.totalChunks());
    out.put("missing_chunks", p.missingChunks());
    out.put("uploaded_bytes", p.uploadedBytes());
    out.put("total_size", u.totalSize());
    out.put("progress_percent", p.percent());
    out.put("expires_at", u.expiresAt().toString());
    out.put("error", u.error());
    return out;
  }

  private static String status(Upload u) {
    return u.status().name().toLowerCase(Locale.ROOT);
  }

  /** The chunk's SHA-256 from {@code X-Chunk-SHA256} (hex) or {@code Content-Digest}, or null. */
  static ChunkReceiver.Expected expected(Context ctx) {
    String hex = ctx.header("X-Chunk-SHA256");
    if (hex != null && !hex.isBlank()) {
      String h = hex.trim().toLowerCase(Locale.ROOT);
      if (!h.matches("[0-9a-f]{64}")) {
        throw new ValidationException("X-Chunk-SHA256", "must be 64 hexadecimal digits");
      }
      return new ChunkReceiver.Expected("X-Chunk-SHA256", HexFormat.of().parseHex(h));
    }
    String digest = ctx.header("Content-Digest");
    if (digest == null || digest.isBlank()) {
      return null;
    }
    for (String item : digest.split(",")) {
      String t = item.trim();
      int eq = t.indexOf('=');
      if (eq < 0 || !t.substring(0, eq).trim().equalsIgnoreCase("sha-256")) {
        continue;
      }
      String v = t.substring(eq + 1).trim();
      if (v.length() < 2 || v.charAt(0) != ':' || v.charAt(v.length() - 1) != ':') {
        throw new ValidationException("Content-Digest", "must be sha-256=:<base64>:");
      }
      try {
        byte[] b = Base64.getDecoder().decode(v.substring(1, v.length() - 1));
        if (b.length == 32) {
          return new ChunkReceiver.Expected("Content-Digest", b);
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      throw new ValidationException("Content-Digest", "sha-256 must be 32 bytes in base64");
    }
    throw new ValidationException("Content-Digest", "names no sha-256 digest");
  }

  private static String text(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ValidationException(field, "must be a string");
    }
    return n.asText();
  }
}

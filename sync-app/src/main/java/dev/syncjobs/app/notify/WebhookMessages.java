package dev.syncjobs.app.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syncjobs.core.model.Run;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run event in the shape each webhook format expects: the generic JSON run summary of the API
 * contract; a Slack incoming webhook's {@code text} (the notification's fallback) and {@code
 * blocks}; a Discord webhook's {@code content} and one embed (mentions switched off, so a job name
 * cannot ping anyone); an ntfy publish: the message as a plain-text body with {@code Title}, {@code
 * Priority} and {@code Tags} headers.
 */
final class WebhookMessages {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Discord's limits: content 2000, title 256, description 4096, field value 1024 characters. */
  private static final int DISCORD_CONTENT = 2000;

  /** Slack's limit of a section's text. */
  private static final int SLACK_SECTION = 3000;

  private WebhookMessages() {}

  /** A request body with its type and the headers of its format. */
  record Message(byte[] body, String contentType, Map<String, String> headers) {}

  static Message of(NotificationSettings.Format format, RunEvent e) {
    return switch (format) {
      case GENERIC -> json(generic(e));
      case SLACK -> json(slack(e));
      case DISCORD -> json(discord(e));
      case NTFY -> ntfy(e);
    };
  }

  /** The contract's run summary. */
  static Map<String, Object> generic(RunEvent e) {
    Run r = e.run();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.kind().eventName());
    m.put("job_id", e.job().id().value().toString());
    m.put("job_name", e.job().name());
    m.put("run_id", r.id().value().toString());
    m.put("status", e.status());
    m.put("trigger", r.trigger().name().toLowerCase(java.util.Locale.ROOT));
    m.put("started_at", time(r.startedAt()));
    m.put("completed_at", time(r.completedAt()));
    m.put("files_synced", r.progress().filesDone());
    m.put("bytes_transferred", r.progress().bytesDone());
    m.put("version", r.version());
    m.put("error", r.error());
    return m;
  }

  private static Map<String, Object> slack(RunEvent e) {
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("type", "mrkdwn");
    text.put(
        "text", clip(slackEscape(e.headline()) + "\n" + slackEscape(details(e)), SLACK_SECTION));
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("type", "section");
    section.put("text", text);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", slackEscape(e.headline()));
    m.put("blocks", List.of(section));
    return m;
  }

  /** Slack reads {@code &}, {@code <} and {@code >} as markup ({@code <!channel>}). */
  private static String slackEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static Map<String, Object> discord(RunEvent e) {
    Map<String, Object> embed = new LinkedHashMap<>();
    embed.put("title", clip(e.job().name() + ": " + e.kind().eventName(), 256));
    embed.put("description", clip(details(e), 4096));
    embed.put("color", color(e));
    List<Map<String, Object>> fields = new ArrayList<>();
    fields.add(field("status", e.status()));
    fields.add(field("trigger", e.run().trigger().name().toLowerCase(java.util.Locale.ROOT)));
    fields.add(field("run", e.run().id().value().toString()));
    embed.put("fields", fields);
    if (e.run().completedAt() != null) {
      embed.put("timestamp", time(e.run().completedAt()));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("content", clip(e.headline(), DISCORD_CONTENT));
    m.put("embeds", List.of(embed));
    m.put("allowed_mentions", Map.of("parse", List.of()));
    return m;
  }

  private static Map<String, Object> field(String name, String value) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", name);
    f.put("value", clip(value, 1024));
    f.put("inline", true);
    return f;
  }

  private static int color(RunEvent e) {
    return switch (e.kind()) {
      case STARTED -> 0x3498DB;
      case SUCCEEDED -> 0x2ECC71;
      case FAILED -> 0xE74C3C;
      case CANCELLED -> 0x95A5A6;
    };
  }

  private static Message ntfy(RunEvent e) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Title", header(e.job().name() + ": " + e.kind().eventName()));
    h.put(
        "Priority",
        switch (e.kind()) {
          case FAILED -> "high";
          case STARTED -> "low";
          default -> "default";
        });
    h.put(
        "Tags",
        switch (e.kind()) {
          case STARTED -> "arrow_forward,syncjobs";
          case SUCCEEDED -> "white_check_mark,syncjobs";
          case FAILED -> "warning,syncjobs";
          case CANCELLED -> "no_entry_sign,syncjobs";
        });
    String body = e.headline() + "\n" + details(e);
    return new Message(body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", h);
  }

  /**
   * A header value: ASCII as it is, anything else as an RFC 2047 encoded word (which ntfy decodes),
   * never a line break.
   */
  static String header(String value) {
    String one = value.replaceAll("[\\r\\n\\x00]", " ");
    if (one.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      return one;
    }
    return "=?UTF-8?B?"
        + Base64.getEncoder().encodeToString(one.getBytes(StandardCharsets.UTF_8))
        + "?=";
  }

  /** The run's facts, one per line: files, bytes, version, error. */
  static String details(RunEvent e) {
    Run r = e.run();
    StringBuilder out = new StringBuilder();
    out.append("run ").append(r.id()).append(" (").append(e.status()).append(")");
    if (e.kind() != RunEvent.Kind.STARTED) {
      out.append("\nfiles synced: ").append(r.progress().filesDone());
      out.append("\nbytes transferred: ").append(r.progress().bytesDone());
    }
    if (r.version() != null) {
      out.append("\nversion: ").append(r.version());
    }
    if (r.error() != null) {
      out.append("\nerror: ").append(r.error());
    }
    return out.toString();
  }

  private static String time(Instant t) {
    return t == null
        ? null
        : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static Message json(Map<String, Object> m) {
    try {
      return new Message(MAPPER.writeValueAsBytes(m), "application/json", Map.of());
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}

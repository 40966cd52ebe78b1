package dev.syncjobs.app.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.ValidationException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of the notification settings: what a PUT may send (write-only secrets kept when left
 * out), what a GET shows (whether a secret is set, never its value), and the text stored in the
 * settings repository (with the secrets).
 */
public final class NotificationSettingsJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "webhook_url",
          "format",
          "secret",
          "secret_set",
          "email",
          "on_start",
          "on_success",
          "on_failure",
          "on_cancel");
  private static final Set<String> EMAIL_FIELDS =
      Set.of(
          "smtp_host",
          "smtp_port",
          "starttls",
          "username",
          "password",
          "password_set",
          "from",
          "to");

  private final DeniedNetworks denied;

  /**
   * @param denied the networks a webhook URL written as an IP literal may not point into (names are
   *     checked when a delivery connects)
   */
  public NotificationSettingsJson(DeniedNetworks denied) {
    this.denied = denied;
  }

  /**
   * The settings a PUT body describes. A field left out takes its default, except the write-only
   * {@code secret} and {@code email.password}, which keep their {@code stored} values.
   *
   * @throws ValidationException naming every bad or unknown field
   */
  public NotificationSettings parse(ObjectNode body, NotificationSettings stored) {
    List<FieldError> errors = new ArrayList<>();
    unknown(body, FIELDS, "", errors);
    URI url = webhookUrl(body.get("webhook_url"), errors);
    NotificationSettings.Format format = NotificationSettings.Format.GENERIC;
    JsonNode f = body.get("format");
    if (f != null && !f.isNull()) {
      try {
        format = NotificationSettings.Format.valueOf(f.asText().toUpperCase(Locale.ROOT));
        if (!f.isTextual()) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("format", "must be generic, slack, discord or ntfy"));
      }
    }
    String secret = stored.secret();
    if (body.has("secret")) {
      secret = text(body.get("secret"), "secret", 256, errors);
      if (secret != null && secret.isEmpty()) {
        errors.add(new FieldError("secret", "must not be empty (null removes it)"));
      }
    }
    NotificationSettings.Email email = email(body.get("email"), stored.email(), errors);
    boolean onStart = flag(body, "on_start", NotificationSettings.NONE.onStart(), errors);
    boolean onSuccess = flag(body, "on_success", NotificationSettings.NONE.onSuccess(), errors);
    boolean onFailure = flag(body, "on_failure", NotificationSettings.NONE.onFailure(), errors);
    boolean onCancel = flag(body, "on_cancel", NotificationSettings.NONE.onCancel(), errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new NotificationSettings(
        url, format, secret, email, onStart, onSuccess, onFailure, onCancel);
  }

  private URI webhookUrl(JsonNode n, List<FieldError> errors) {
    if (n == null || n.isNull()) {
      return null;
    }
    String field = "webhook_url";
    if (!n.isTextual() || n.asText().isBlank() || n.asText().length() > 2048) {
      errors.add(
          new FieldError(field, "must be an http or https URL (null turns the webhook off)"));
      return null;
    }
    URI uri;
    try {
      uri = new URI(n.asText());
    } catch (URISyntaxException e) {
      errors.add(new FieldError(field, "is not a valid URL: " + e.getReason()));
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      errors.add(new FieldError(field, "must be an http or https URL with a host"));
      return null;
    }
    if (uri.getUserInfo() != null) {
      errors.add(new FieldError(field, "must not carry credentials: use secret to sign instead"));
      return null;
    }
    try {
      denied.checkLiteral(uri.getHost());
    } catch (SourceRefusedException e) {
      errors.add(new FieldError(field, e.getMessage()));
      return null;
    }
    return uri;
  }

  private static NotificationSettings.Email email(
      JsonNode n, NotificationSettings.Email stored, List<FieldError> errors) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      errors.add(new FieldError("email", "must be an object or null"));
      return null;
    }
    ObjectNode o = (ObjectNode) n;
    int before = errors.size();
    unknown(o, EMAIL_FIELDS, "email.", errors);
    String host = text(o.get("smtp_host"), "email.smtp_host", 253, errors);
    if (host == null || !host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
      errors.add(new FieldError("email.smtp_host", "is required: the SMTP server's host name"));
    }
    int port = 587;
    JsonNode p = o.get("smtp_port");
    if (p != null && !p.isNull()) {
      if (!p.isIntegralNumber() || p.asInt() < 1 || p.asInt() > 65535) {
        errors.add(new FieldError("email.smtp_port", "must be a port 1..65535"));
      } else {
        port = p.asInt();
      }
    }
    boolean starttls = flag(o, "starttls", true, "email.starttls", errors);
    String username = text(o.get("username"), "email.username", 256, errors);
    String password = stored == null ? null : stored.password();
    if (o.has("password")) {
      password = text(o.get("password"), "email.password", 256, errors);
    }
    String from = address(o.get("from"), "email.from", errors);
    List<String> to = new ArrayList<>();
    JsonNode t = o.get("to");
    if (t == null || !t.isArray() || t.isEmpty() || t.size() > 50) {
      errors.add(new FieldError("email.to", "is required: a list of 1..50 addresses"));
    } else {
      for (JsonNode a : (ArrayNode) t) {
        String addr = address(a, "email.to", errors);
        if (addr != null) {
          to.add(addr);
        }
      }
    }
    if (errors.size() > before) {
      return null;
    }
    return new NotificationSettings.Email(host, port, starttls, username, password, from, to);
  }

  private static String address(JsonNode n, String field, List<FieldError> errors) {
    if (n == null || !n.isTextual() || n.asText().length() > 320) {
      errors.add(new FieldError(field, "must be an email address"));
      return null;
    }
    try {
      InternetAddress a = new InternetAddress(n.asText(), true);
      return a.getAddress();
    } catch (AddressException e) {
      errors.add(new FieldError(field, "is not a valid email address: " + n.asText()));
      return null;
    }
  }

  private static void unknown(ObjectNode o, Set<String> known, String prefix, List<FieldError> e) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        e.add(new FieldError(prefix + name, "is not a notification setting"));
      }
    }
  }

  private static String text(JsonNode n, String field, int max, List<FieldError> errors) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()
        || n.asText().length() > max
        || n.asText().matches("(?s).*[\\r\\n\\x00].*")) {
      errors.add(
          new FieldError(field, "must be a string of at most " + max + " characters, one line"));
      return null;
    }
    return n.asText();
  }

  private static boolean flag(ObjectNode o, String name, boolean fallback, List<FieldError> e) {
    return flag(o, name, fallback, name, e);
  }

  private static boolean flag(
      ObjectNode o, String name, boolean fallback, String field, List<FieldError> errors) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      errors.add(new FieldError(field, "must be true or false"));
      return fallback;
    }
    return n.asBoolean();
  }

  /** What a GET shows: the settings without their secrets, with whether each is set. */
  public static Map<String, Object> view(NotificationSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("webhook_url", s.webhookUrl() == null ? null : s.webhookUrl().toString());
    m.put("format", s.format().name().toLowerCase(Locale.ROOT));
    m.put("secret_set", s.secret() != null);
    if (s.email() == null) {
      m.put("email", null);
    } else {
      Map<String, Object> e = emailFields(s.email());
      e.put("password_set", s.email().password() != null);
      m.put("email", e);
    }
    m.put("on_start", s.onStart());
    m.put("on_success", s.onSuccess());
    m.put("on_failure", s.onFailure());
    m.put("on_cancel", s.onCancel());
    return m;
  }

  private static Map<String, Object> emailFields(NotificationSettings.Email e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("smtp_host", e.smtpHost());
    m.put("smtp_port", e.smtpPort());
    m.put("starttls", e.starttls());
    m.put("username", e.username());
    m.put("from", e.from());
    m.put("to", e.to());
    return m;
  }

  /** The text kept in the settings repository: every field, secrets included. */
  public static String stored(NotificationSettings s) {
    Map<String, Object> m = view(s);
    m.remove("secret_set");
    m.put("secret", s.secret());
    if (s.email() != null) {
      Map<String, Object> e = emailFields(s.email());
      e.put("password", s.email().password());
      m.put("email", e);
    }
    try {
      return MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The settings a stored text describes (its secrets as stored: sealed); stored texts were valid
   * when saved.
   */
  public static NotificationSettings fromStored(String text) {
    try {
      ObjectNode o = (ObjectNode) MAPPER.readTree(text);
      // sealed secrets are longer than the limits a PUT is held to
      JsonNode secret = o.remove("secret");
      JsonNode email = o.get("email");
      JsonNode password =
          email != null && email.isObject() ? ((ObjectNode) email).remove("password") : null;
      NotificationSettingsJson lenient = new NotificationSettingsJson(DeniedNetworks.NONE);
      NotificationSettings s = lenient.parse(o, NotificationSettings.NONE);
      NotificationSettings.Email e = s.email();
      if (e != null) {
        e =
            new NotificationSettings.Email(
                e.smtpHost(),
                e.smtpPort(),
                e.starttls(),
                e.username(),
                password == null || password.isNull() ? null : password.asText(),
                e.from(),
                e.to());
      }
      return new NotificationSettings(
          s.webhookUrl(),
          s.format(),
          secret == null || secret.isNull() ? null : secret.asText(),
          e,
          s.onStart(),
          s.onSuccess(),
          s.onFailure(),
          s.onCancel());
    } catch (JsonProcessingException | ClassCastException | ValidationException e) {
      throw new SyncException(
          "the stored notification settings are not valid: " + e.getMessage(), e);
    }
  }
}

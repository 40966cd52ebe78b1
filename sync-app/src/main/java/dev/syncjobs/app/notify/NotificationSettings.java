package dev.syncjobs.app.notify;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Where and when runs are announced: a webhook in one of four formats and email, each optional, for
 * the events asked for. Every instance shares them (stored in the settings repository).
 *
 * @param webhookUrl the webhook's http or https URL; null for no webhook
 * @param format the message shape the webhook expects
 * @param secret the HMAC key of {@code X-Syncjobs-Signature}; null to send unsigned
 * @param email the SMTP delivery; null for no email
 * @param onStart announce every run that starts
 * @param onSuccess announce every run that succeeds
 * @param onFailure announce every run that fails
 * @param onCancel announce every run that is cancelled (by a user or a shutdown)
 */
public record NotificationSettings(
    URI webhookUrl,
    Format format,
    String secret,
    Email email,
    boolean onStart,
    boolean onSuccess,
    boolean onFailure,
    boolean onCancel) {

  /** Nothing announced: the settings before any were saved. */
  public static final NotificationSettings NONE =
      new NotificationSettings(null, Format.GENERIC, null, null, false, false, true, false);

  public NotificationSettings {
    Objects.requireNonNull(format, "format");
  }

  /** Whether any channel is configured. */
  public boolean hasChannel() {
    return webhookUrl != null || email != null;
  }

  /** The shape of a webhook's request. */
  public enum Format {
    /** The syncjobs JSON run summary, signed with the secret. */
    GENERIC,
    /** A Slack incoming webhook: {@code text} with {@code blocks}. */
    SLACK,
    /** A Discord webhook: {@code content} with an embed. */
    DISCORD,
    /** An ntfy topic URL: the message as the body, Title, Priority and Tags as headers. */
    NTFY
  }

  /**
   * Mail over SMTP.
   *
   * @param smtpHost the server
   * @param smtpPort its port (587 for submission with STARTTLS, 25, 465 is not supported)
   * @param starttls whether the connection must be upgraded with STARTTLS before authenticating
   * @param username SMTP AUTH user; null to send without authentication
   * @param password SMTP AUTH password
   * @param from the sender address
   * @param to the recipients, at least one
   */
  public record Email(
      String smtpHost,
      int smtpPort,
      boolean starttls,
      String username,
      String password,
      String from,
      List<String> to) {
    public Email {
      to = List.copyOf(to);
    }
  }
}

package dev.syncjobs.app.notify;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.SourceRefusedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/**
 * Sends a run event as a plain-text mail over SMTP (Jakarta Mail, Eclipse Angus): STARTTLS required
 * when the settings ask for it (the server's certificate checked against the JVM's trust store and
 * its name), SMTP AUTH when a user is set, bounded connect, read and write timeouts. The SMTP host
 * is checked against the denied networks like a webhook's.
 */
final class EmailSender {
  private final DeniedNetworks denied;
  private final Duration timeout;

  EmailSender(DeniedNetworks denied, Duration timeout) {
    this.denied = denied;
    this.timeout = timeout;
  }

  /**
   * Sends {@code subject} and {@code body} to every recipient.
   *
   * @throws IOException when the host is refused, the server is unreachable or refuses the mail
   */
  void send(NotificationSettings.Email email, String subject, String body) throws IOException {
    try {
      denied.resolve(email.smtpHost());
    } catch (SourceRefusedException e) {
      throw new IOException(
          e.getMessage().replace("SYNCJOBS_SOURCE_DENY_NETWORKS", "denied networks"));
    }
    String millis = Long.toString(timeout.toMillis());
    Properties p = new Properties();
    p.put("mail.smtp.host", email.smtpHost());
    p.put("mail.smtp.port", Integer.toString(email.smtpPort()));
    p.put("mail.smtp.connectiontimeout", millis);
    p.put("mail.smtp.timeout", millis);
    p.put("mail.smtp.writetimeout", millis);
    p.put("mail.smtp.auth", Boolean.toString(email.username() != null));
    if (email.starttls()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    Session session = Session.getInstance(p);
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(email.from()));
      for (String to : email.to()) {
        m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
      }
      m.setSubject(subject, "UTF-8");
      m.setText(body, "UTF-8");
      m.setSentDate(new Date());
      m.setHeader("Auto-Submitted", "auto-generated");
      if (email.username() != null) {
        Transport.send(m, email.username(), email.password() == null ? "" : email.password());
      } else {
        Transport.send(m);
      }
    } catch (MessagingException e) {
      throw new IOException(rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return msg.strip();
  }
}

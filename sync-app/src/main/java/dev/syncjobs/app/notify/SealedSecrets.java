package dev.syncjobs.app.notify;

import dev.syncjobs.core.model.SyncException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the notification secrets (webhook secret, SMTP password) with AES-GCM under the server's
 * key file before they are stored, as source credentials are: the database alone does not give them
 * away. A sealed value reads {@code sealed:<base64 of nonce and ciphertext>}; the field's name is
 * bound in, so a value copied into the other field does not open.
 */
public final class SealedSecrets {
  private static final String PREFIX = "sealed:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param keyBytes a 32-byte AES key (the server's {@code secret.key})
   */
  public SealedSecrets(byte[] keyBytes) {
    if (keyBytes == null || keyBytes.length != 32) {
      throw new IllegalArgumentException("the key must be 32 bytes");
    }
    this.key = new SecretKeySpec(keyBytes.clone(), "AES");
  }

  /** {@code value} sealed for {@code field}; null stays null. */
  String seal(String field, String value) {
    if (value == null) {
      return null;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(field.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length);
      out.put(nonce).put(sealed);
      return PREFIX + Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal the " + field, e);
    }
  }

  /** The value {@link #seal} sealed for {@code field}; null stays null. */
  String open(String field, String sealed) {
    if (sealed == null) {
      return null;
    }
    if (!sealed.startsWith(PREFIX)) {
      throw new SyncException("the stored notification " + field + " is not sealed");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOf(all, NONCE_BYTES)));
      c.updateAAD(field.getBytes(StandardCharsets.UTF_8));
      byte[] plain = c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SyncException(
          "the stored notification "
              + field
              + " does not open with this server's key file (was it replaced?)",
          e);
    }
  }

  /** {@code s} with its secrets sealed (for storing) or opened (after reading). */
  NotificationSettings apply(NotificationSettings s, boolean sealing) {
    String secret = sealing ? seal("secret", s.secret()) : open("secret", s.secret());
    NotificationSettings.Email e = s.email();
    if (e != null) {
      String password = sealing ? seal("password", e.password()) : open("password", e.password());
      e =
          new NotificationSettings.Email(
              e.smtpHost(), e.smtpPort(), e.starttls(), e.username(), password, e.from(), e.to());
    }
    return new NotificationSettings(
        s.webhookUrl(),
        s.format(),
        secret,
        e,
        s.onStart(),
        s.onSuccess(),
        s.onFailure(),
        s.onCancel());
  }
}

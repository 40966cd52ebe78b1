package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.SyncException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals source credentials with AES-GCM before they reach the database. The job id is bound in as
 * associated data, so a sealed value copied onto another job does not open. Layout: version byte,
 * 12-byte nonce, ciphertext with its 16-byte tag.
 */
final class SecretBox {
  private static final byte FORMAT = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  SecretBox(byte[] keyBytes) {
    if (keyBytes == null) {
      this.key = null;
      return;
    }
    if (keyBytes.length != 16 && keyBytes.length != 24 && keyBytes.length != 32) {
      throw new IllegalArgumentException(
          "the secret key must be 16, 24 or 32 bytes, not " + keyBytes.length);
    }
    this.key = new SecretKeySpec(keyBytes.clone(), "AES");
  }

  byte[] seal(UUID owner, SourceAuth auth) {
    if (auth == null) {
      return null;
    }
    requireKey();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(owner));
      byte[] sealed = cipher.doFinal(encode(auth));
      ByteBuffer out = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length);
      out.put(FORMAT).put(nonce).put(sealed);
      return out.array();
    } catch (GeneralSecurityException e) {
      throw new SyncException("cannot encrypt the source credentials: " + e.getMessage(), e);
    }
  }

  SourceAuth open(UUID owner, byte[] sealed) {
    if (sealed == null) {
      return null;
    }
    requireKey();
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != FORMAT) {
      throw new SyncException("stored credentials of job " + owner + " are not readable");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES)));
      cipher.updateAAD(aad(owner));
      return decode(cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES));
    } catch (GeneralSecurityException e) {
      throw new SyncException(
          "cannot decrypt the credentials of job " + owner + ": wrong secret key?", e);
    }
  }

  private void requireKey() {
    if (key == null) {
      throw new SyncException(
          "no secret key configured: source credentials cannot be stored (give JdbcPersistence a"
              + " secretKey or secretKeyFile)");
    }
  }

  private static byte[] aad(UUID owner) {
    return ByteBuffer.allocate(16)
        .putLong(owner.getMostSignificantBits())
        .putLong(owner.getLeastSignificantBits())
        .array();
  }

  private static byte[] encode(SourceAuth auth) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(auth.type().ordinal());
      for (String field :
          new String[] {
            auth.type().name(),
            auth.username(),
            auth.password(),
            auth.token(),
            auth.privateKey(),
            auth.knownHosts()
          }) {
        if (field == null) {
          out.writeInt(-1);
        } else {
          byte[] b = field.getBytes(StandardCharsets.UTF_8);
          out.writeInt(b.length);
          out.write(b);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static SourceAuth decode(byte[] plain) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
      in.readByte();
      String[] fields = new String[6];
      for (int i = 0; i < fields.length; i++) {
        int length = in.readInt();
        if (length >= 0) {
          byte[] b = in.readNBytes(length);
          if (b.length != length) {
            throw new IOException("truncated");
          }
          fields[i] = new String(b, StandardCharsets.UTF_8);
        }
      }
      return new SourceAuth(
          SourceAuth.Type.valueOf(fields[0]),
          fields[1],
          fields[2],
          fields[3],
          fields[4],
          fields[5]);
    } catch (IOException | IllegalArgumentException e) {
      throw new SyncException("stored credentials are corrupt", e);
    }
  }
}

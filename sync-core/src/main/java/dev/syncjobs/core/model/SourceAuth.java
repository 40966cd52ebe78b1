package dev.syncjobs.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Credentials for a source. Secrets are write-only: {@link #toString()} never shows them and the
 * server never returns them.
 *
 * @param type which kind of credential
 * @param username user name (basic, rsync, ssh), may be null
 * @param password password (basic, rsync), may be null
 * @param token bearer token, may be null
 * @param privateKey PEM/OpenSSH private key (ssh), may be null
 * @param knownHosts known_hosts lines for the ssh host, may be null
 */
public record SourceAuth(
    Type type,
    String username,
    String password,
    String token,
    String privateKey,
    String knownHosts) {

  /** The kinds of credential. */
  public enum Type {
    BASIC,
    BEARER,
    RSYNC,
    SSH;

    public static Type parse(String text) {
      try {
        return Type.valueOf(text.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new ValidationException("source_auth.type", "must be basic, bearer, rsync or ssh");
      }
    }
  }

  /** User name and password for an HTTP(S) source (Basic authentication). */
  public static SourceAuth basic(String username, String password) {
    return new SourceAuth(Type.BASIC, username, password, null, null, null);
  }

  /** A bearer token for an HTTP(S) source. */
  public static SourceAuth bearer(String token) {
    return new SourceAuth(Type.BEARER, null, null, token, null, null);
  }

  /** User name and password of an rsync daemon's module. */
  public static SourceAuth rsync(String username, String password) {
    return new SourceAuth(Type.RSYNC, username, password, null, null, null);
  }

  /**
   * An ssh private key (PEM or OpenSSH) for an {@code ssh://} source, with the host's known_hosts
   * lines (null to rely on the server user's or the system's known_hosts).
   */
  public static SourceAuth ssh(String username, String privateKey, String knownHosts) {
    return new SourceAuth(Type.SSH, username, null, null, privateKey, knownHosts);
  }

  public SourceAuth {
    List<FieldError> errors = new ArrayList<>();
    if (type == null) {
      errors.add(new FieldError("source_auth.type", "is required"));
    } else {
      switch (type) {
        case BASIC, RSYNC -> {
          if (username == null || username.isEmpty()) {
            errors.add(new FieldError("source_auth.username", "is required"));
          }
          if (password == null) {
            errors.add(new FieldError("source_auth.password", "is required"));
          }
        }
        case BEARER -> {
          if (token == null || token.isEmpty()) {
            errors.add(new FieldError("source_auth.token", "is required"));
          }
        }
        case SSH -> {
          if (privateKey == null || privateKey.isEmpty()) {
            errors.add(new FieldError("source_auth.private_key", "is required"));
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  @Override
  public String toString() {
    return "SourceAuth[type=" + type + ", username=" + username + ", secrets hidden]";
  }
}

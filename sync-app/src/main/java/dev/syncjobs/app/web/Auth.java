package dev.syncjobs.app.web;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bearer tokens and their roles. Tokens are compared in constant time (as SHA-256 digests, so the
 * length leaks nothing either) and never logged. {@code ?access_token=} is read only on WebSocket
 * paths, where browsers cannot set a header.
 */
public final class Auth {
  /** What a token may do. */
  public enum Role {
    ADMIN,
    VIEWER
  }

  private static final String ROLE = "syncjobs.role";

  /** The role {@link #require} found for this request, null before. */
  static Role roleOf(Context ctx) {
    return ctx.attribute(ROLE);
  }

  private final byte[] admin;
  private final byte[] viewer;

  /**
   * @param adminToken the admin token
   * @param viewerToken the viewer token, or null for none
   */
  public Auth(String adminToken, String viewerToken) {
    this.admin = digest(adminToken);
    this.viewer = viewerToken == null ? null : digest(viewerToken);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The role of a presented token, or null when it is no valid token. */
  Role roleOf(String token) {
    if (token == null || token.isEmpty() || token.length() > 1024 || hasControl(token)) {
      return null;
    }
    byte[] d = digest(token);
    boolean isAdmin = MessageDigest.isEqual(d, admin);
    boolean isViewer = viewer != null && MessageDigest.isEqual(d, viewer);
    return isAdmin ? Role.ADMIN : isViewer ? Role.VIEWER : null;
  }

  /** Control characters (CR, LF, NUL, …) are never part of a token. */
  private static boolean hasControl(String token) {
    return token.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /**
   * {@code s} without the spaces and tabs around it (HTTP's optional whitespace), and nothing else:
   * a CR or LF stays and makes the token invalid.
   */
  private static String withoutBlanks(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return s.substring(from, to);
  }

  /** The caller's role; 401 without a valid token. */
  Role require(Context ctx, boolean allowQueryToken) {
    String token = null;
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = withoutBlanks(header.substring(7));
    }
    if (token == null && allowQueryToken) {
      token = ctx.queryParam("access_token");
    }
    Role role = roleOf(token);
    if (role == null) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"syncjobs\"");
      throw ApiProblem.unauthorized();
    }
    ctx.attribute(ROLE, role);
    return role;
  }
}

package dev.syncjobs.http;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** URL helpers for hrefs found in index pages and for keeping the crawl inside the source. */
final class UriText {
  private static final String HEX = "0123456789ABCDEF";

  private UriText() {}

  /**
   * Parses an href as servers write it: already-escaped parts are kept, characters a URI may not
   * hold (spaces, non-ASCII, a stray {@code %}) are escaped.
   */
  static URI lenient(String href) {
    String h = href.trim();
    StringBuilder sb = new StringBuilder(h.length() + 16);
    byte[] bytes = h.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      boolean escape =
          c <= 0x20
              || c >= 0x7f
              || c == '"'
              || c == '<'
              || c == '>'
              || c == '\\'
              || c == '^'
              || c == '`'
              || c == '{'
              || c == '|'
              || c == '}'
              || (c == '%'
                  && !(i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])));
      if (escape) {
        sb.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
      } else {
        sb.append((char) c);
      }
    }
    try {
      return new URI(sb.toString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** Whether {@code u} is the source URL itself or below it (same scheme, host and port). */
  static boolean inside(URI u, URI root) {
    if (!HttpFetcher.sameOrigin(u, root) || u.getRawQuery() != null) {
      return false;
    }
    String p = normalizedPath(u);
    if (p == null) {
      return false;
    }
    String base = directoryOf(root);
    return p.startsWith(base) || (p + "/").equals(base);
  }

  /** The raw path after removing dot segments, or null when it would climb above the root. */
  static String normalizedPath(URI u) {
    String raw = u.getRawPath();
    if (raw == null || raw.isEmpty()) {
      return "/";
    }
    String n = URI.create("http://x" + raw).normalize().getRawPath();
    if (n == null || n.startsWith("/..") || n.contains("/../") || n.endsWith("/..")) {
      return null;
    }
    return n;
  }

  /** The raw directory path of a URL: itself when it ends in '/', else its parent. */
  static String directoryOf(URI u) {
    String p = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return p.endsWith("/") ? p : p.substring(0, p.lastIndexOf('/') + 1);
  }

  /**
   * Decodes one raw path segment as UTF-8, or null when it is not valid UTF-8. Whether the name can
   * be held by the backend is {@link dev.syncjobs.core.staging.StagingPaths}' to say.
   */
  static String decodeSegment(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c == '%') {
        return null;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    String name;
    try {
      name =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(out.toByteArray()))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    return name;
  }

  /** Escapes a file name as one URL path segment. */
  static String encodeSegment(String name) {
    StringBuilder sb = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
      }
    }
    return sb.toString();
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}

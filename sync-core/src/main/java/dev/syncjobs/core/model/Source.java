package dev.syncjobs.core.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a job's files come from. The URL's scheme chooses the transfer adapter: {@code http(s)} the
 * HTTP adapter, {@code rsync} and {@code ssh} the rsync adapter, {@code file} the core's local
 * transfer.
 */
public sealed interface Source permits Source.Http, Source.Rsync, Source.Ssh, Source.Local {

  /** The source as the user wrote it (normalised). */
  URI uri();

  /**
   * Scheme, host and port: where credentials go. A source's credentials are bound to its origin, so
   * a change of origin must come with credentials again (or none).
   */
  default Origin origin() {
    String scheme = uri().getScheme().toLowerCase(Locale.ROOT);
    String host = uri().getHost() == null ? "" : uri().getHost().toLowerCase(Locale.ROOT);
    int port = uri().getPort();
    if (port < 0) {
      port =
          switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            case "rsync" -> 873;
            case "ssh" -> 22;
            default -> -1;
          };
    }
    return new Origin(scheme, host, port);
  }

  /**
   * Scheme (lower case), host (lower case, empty for {@code file://}) and port (the scheme's
   * default when the URL has none, -1 for {@code file://}).
   */
  record Origin(String scheme, String host, int port) {
    @Override
    public String toString() {
      return scheme + "://" + host + (port < 0 ? "" : ":" + port);
    }
  }

  /**
   * Parses a source URL, rejecting unknown schemes and credentials in the URL.
   *
   * @throws ValidationException naming {@code source_url}
   */
  static Source parse(String text) {
    String field = "source_url";
    if (text == null || text.isBlank()) {
      throw new ValidationException(field, "is required");
    }
    if (text.length() > 2000) {
      throw new ValidationException(field, "must be at most 2000 characters");
    }
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ValidationException(field, "must not contain control characters");
    }
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ValidationException(field, "is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "http", "https" -> {
        requireHost(uri, field);
        noUserInfo(uri, field);
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
          throw new ValidationException(field, "must not have a query or fragment");
        }
        return new Http(uri);
      }
      case "rsync" -> {
        requireHost(uri, field);
        noUserInfo(uri, field);
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.length() <= 1) {
          throw new ValidationException(
              field, "rsync URL must name a module: rsync://host/module/path");
        }
        return new Rsync(uri);
      }
      case "ssh" -> {
        requireHost(uri, field);
        String user = uri.getRawUserInfo();
        if (user != null && user.contains(":")) {
          throw new ValidationException(
              field, "must not contain a password; use source_auth for credentials");
        }
        if (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")) {
          throw new ValidationException(field, "ssh URL must name a path: ssh://user@host/path");
        }
        return new Ssh(uri);
      }
      case "file" -> {
        if (uri.getAuthority() != null && !uri.getAuthority().isEmpty()) {
          throw new ValidationException(field, "file URL must be file:///absolute/path");
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
          throw new ValidationException(field, "file URL must be file:///absolute/path");
        }
        for (String segment : path.split("/")) {
          if (segment.equals("..")) {
            throw new ValidationException(field, "must not contain '..' segments");
          }
        }
        return new Local(uri);
      }
      default ->
          throw new ValidationException(
              field, "scheme must be http, https, rsync, ssh or file (got '" + scheme + "')");
    }
  }

  private static void requireHost(URI uri, String field) {
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ValidationException(field, "must name a host");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new ValidationException(field, "port must be 1..65535 (got " + uri.getPort() + ")");
    }
  }

  private static void noUserInfo(URI uri, String field) {
    if (uri.getRawUserInfo() != null) {
      throw new ValidationException(field, "must not contain credentials; use source_auth instead");
    }
  }

  /**
   * An {@code http://} or {@code https://} URL: a file, or a directory listing when it ends in /.
   */
  record Http(URI uri) implements Source {
    public boolean isDirectory() {
      return uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().endsWith("/");
    }
  }

  /** {@code rsync://host[:port]/module/path}: an rsync daemon. */
  record Rsync(URI uri) implements Source {}

  /** {@code ssh://user@host[:port]/path}: rsync over ssh. */
  record Ssh(URI uri) implements Source {}

  /** {@code file:///path}: a directory on this machine. */
  record Local(URI uri) implements Source {
    public Path path() {
      return Path.of(uri.getPath());
    }
  }
}

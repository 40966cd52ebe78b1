package dev.syncjobs.app.web;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code file://} sources may point: never at, inside or around the data dir or a backend (a
 * job would mirror the server's own state or versions), and, when roots are configured ({@code
 * SYNCJOBS_LOCAL_SOURCE_ROOTS}), only under one of them. Symbolic links are resolved first.
 */
public final class LocalSourcePolicy {
  private final List<Path> forbidden;
  private final List<Path> roots;

  /**
   * @param forbidden the data dir and every backend root
   * @param roots allowed roots, or null for "anywhere else"
   */
  public LocalSourcePolicy(List<Path> forbidden, List<Path> roots) {
    this.forbidden = forbidden.stream().map(LocalSourcePolicy::real).toList();
    this.roots = roots == null ? null : roots.stream().map(LocalSourcePolicy::real).toList();
  }

  /** Checks a source; only local ones are restricted. */
  void check(Source source) {
    if (!(source instanceof Source.Local local)) {
      return;
    }
    Path p = real(local.path());
    for (Path f : forbidden) {
      if (p.startsWith(f) || f.startsWith(p)) {
        throw new ValidationException(
            "source_url",
            "a file:// source must not be, contain or lie inside the server's data dir or a"
                + " storage backend");
      }
    }
    if (roots != null && roots.stream().noneMatch(p::startsWith)) {
      throw new ValidationException(
          "source_url",
          "file:// sources must lie under one of SYNCJOBS_LOCAL_SOURCE_ROOTS: "
              + String.join(", ", roots.stream().map(Path::toString).toList()));
    }
  }

  /** The path with symbolic links of its existing part resolved. */
  static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(abs));
    } catch (IOException e) {
      return abs;
    }
  }
}

package dev.syncjobs.app.config;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.SourcePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The server's rules for sources. {@code file://} sources: refused unless {@code
 * SYNCJOBS_LOCAL_SOURCE_ROOTS} is set; then the real path (every symbolic link resolved) must lie
 * under one of the roots and must not be, lie inside or contain the data dir, a storage backend,
 * the database or key file, or {@code /proc}. Network sources: an IP literal in {@code
 * SYNCJOBS_SOURCE_DENY_NETWORKS} is refused (names are checked by the transfers, at connect time).
 *
 * <p>Checked when a job is saved and again when each run starts, on the path as it is then: a link
 * swapped in later, or roots narrowed since, stop the run before it reads anything. The run then
 * reads the real path this check resolved, not the job's path resolved a second time.
 */
public final class SourceConfinement implements SourcePolicy {
  static final String ROOTS = "SYNCJOBS_LOCAL_SOURCE_ROOTS";

  private final List<Path> roots;
  private final List<Path> forbidden;
  private final DeniedNetworks networks;

  /**
   * @param roots where {@code file://} sources may lie, or null to refuse them all
   * @param forbidden paths no local source may be, lie inside or contain
   * @param networks address ranges network sources may not name as IP literals
   */
  public SourceConfinement(List<Path> roots, List<Path> forbidden, DeniedNetworks networks) {
    this.roots = roots == null ? null : List.copyOf(roots);
    this.forbidden = List.copyOf(forbidden);
    this.networks = networks;
  }

  /** The server's rules: its roots and networks; its data dir, backends and key files forbidden. */
  public static SourceConfinement of(ServerConfig config) {
    List<Path> forbidden = new java.util.ArrayList<>();
    forbidden.add(config.dataDir());
    config.backends().forEach(b -> forbidden.add(b.root()));
    forbidden.add(config.secretKeyFile());
    if (config.dbUrl().startsWith("jdbc:sqlite:")) {
      String file = config.dbUrl().substring("jdbc:sqlite:".length());
      int query = file.indexOf('?');
      file = query < 0 ? file : file.substring(0, query);
      if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:")) {
        forbidden.add(Path.of(file).toAbsolutePath().normalize());
      }
    }
    forbidden.add(Path.of("/proc"));
    return new SourceConfinement(config.localSourceRoots(), forbidden, config.sourceDenyNetworks());
  }

  @Override
  public void checkSaved(Source source) {
    try {
      admit(source, false);
    } catch (SourceRefusedException e) {
      throw new ValidationException("source_url", e.getMessage());
    }
  }

  @Override
  public Source admit(Source source) {
    return admit(source, true);
  }

  private Source admit(Source source, boolean running) {
    if (!(source instanceof Source.Local local)) {
      networks.checkLiteral(source.uri().getHost());
      return source;
    }
    if (roots == null) {
      throw new SourceRefusedException(
          "file:// sources are refused by this server: "
              + ROOTS
              + " is not set (set it to the folders local sources may read)");
    }
    Path path = local.path();
    if (running && !Files.exists(path)) {
      throw new TransferException("source " + path + " does not exist");
    }
    Path real = real(path);
    String resolved = real.equals(path) ? "" : " (resolves to " + real + ")";
    for (Path f : forbidden) {
      Path r = real(f);
      if (real.startsWith(r) || r.startsWith(real)) {
        throw new SourceRefusedException(
            "the file:// source "
                + path
                + resolved
                + " must not be, contain or lie inside the server's data dir, a storage backend,"
                + " its key or database, or /proc");
      }
    }
    List<Path> realRoots = roots.stream().map(SourceConfinement::real).toList();
    if (realRoots.stream().noneMatch(real::startsWith)) {
      throw new SourceRefusedException(
          "the file:// source "
              + path
              + resolved
              + " lies outside "
              + ROOTS
              + " ("
              + roots.stream().map(Path::toString).collect(Collectors.joining(", "))
              + ")");
    }
    return running && !real.equals(path) ? new Source.Local(real.toUri()) : source;
  }

  /** The path with the symbolic links of its existing part resolved. */
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

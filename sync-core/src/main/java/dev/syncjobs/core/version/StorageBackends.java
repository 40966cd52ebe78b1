package dev.syncjobs.core.version;

import dev.syncjobs.core.model.BackendOfflineException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured storage backends, and safe resolution of destinations inside them. */
public final class StorageBackends {
  private final Map<String, StorageBackend> byName = new LinkedHashMap<>();

  public StorageBackends(List<StorageBackend> backends) {
    for (StorageBackend b : backends) {
      if (byName.putIfAbsent(b.name(), b) != null) {
        throw new ValidationException("backends", "backend '" + b.name() + "' is defined twice");
      }
    }
  }

  public List<StorageBackend> all() {
    return List.copyOf(byName.values());
  }

  public Optional<StorageBackend> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Creates a backend's root with its marker, for the backend syncjobs owns (the default one). An
   * existing directory without a marker is left alone: it must be adopted on purpose.
   */
  public static void initialiseOwnRoot(StorageBackend backend) {
    if (!Files.exists(backend.root())) {
      backend.adopt();
    }
  }

  /**
   * Adopts an existing directory as a backend by writing its marker file (the {@code backend init}
   * command: a missing directory is an unmounted share, never created here).
   */
  public static void adopt(Path root) {
    if (!Files.isDirectory(root)) {
      throw new ValidationException("root", root + " is not a directory");
    }
    new StorageBackend("adopted", root).adopt();
  }

  /**
   * The directory of a destination inside its backend, which must be online. Refuses any path that
   * would resolve outside the backend's root, including through symbolic links.
   *
   * @throws ValidationException for an unknown backend
   * @throws BackendOfflineException when the backend is offline
   */
  public Path resolve(Destination destination) {
    StorageBackend backend =
        find(destination.backendId())
            .orElseThrow(
                () ->
                    new ValidationException(
                        "destination_backend_id",
                        "no backend named '" + destination.backendId() + "'"));
    if (!backend.isOnline()) {
      throw new BackendOfflineException(
          "backend '" + backend.name() + "' is offline: " + backend.offlineReason());
    }
    Path root = backend.root();
    Path target = root.resolve(destination.path()).normalize();
    if (!target.startsWith(root)) {
      throw new ValidationException("destination_path", "resolves outside the backend");
    }
    // No existing component of the path may be a symbolic link that leads elsewhere.
    Path walk = root;
    for (Path part : root.relativize(target)) {
      walk = walk.resolve(part);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(walk, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        break; // the rest does not exist yet
      }
      if (attrs.isSymbolicLink()) {
        throw new ValidationException(
            "destination_path", "passes through a symbolic link inside the backend");
      }
    }
    return target;
  }
}

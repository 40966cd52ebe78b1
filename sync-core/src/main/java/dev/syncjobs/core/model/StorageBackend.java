package dev.syncjobs.core.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named root directory that holds job destinations. It is online only when the root exists, is
 * writable and holds the {@link #MARKER} file, so an unmounted share (an empty mount point) shows
 * offline instead of filling the disk under it.
 *
 * @param requiresMarker false only for a directory named explicitly for one run (the {@code once}
 *     command), where the user's own argument stands in for the marker
 */
public record StorageBackend(String name, Path root, boolean requiresMarker) {

  /** The marker file that adopts a directory as a backend. */
  public static final String MARKER = Destination.RESERVED_PREFIX + "-backend";

  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$");

  public StorageBackend {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ValidationException(
          "backend", "a backend name is 1..64 letters, digits, '-' or '_' (got '" + name + "')");
    }
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  /** A backend that must hold the marker file to be online (every configured backend). */
  public StorageBackend(String name, Path root) {
    this(name, root, true);
  }

  public boolean isOnline() {
    // a marker file inside the root proves the root a directory: one check fewer per run
    return (requiresMarker ? Files.isRegularFile(root.resolve(MARKER)) : Files.isDirectory(root))
        && Files.isWritable(root);
  }

  /** Free bytes on the root's file system, or 0 when it cannot be read. */
  public long freeBytes() {
    try {
      return Files.getFileStore(root).getUsableSpace();
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }
}

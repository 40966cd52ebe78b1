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

  /**
   * Adopts this backend's root as a folder syncjobs may write into: creates the root (and its
   * parents) when missing and writes the {@link #MARKER} file. For a folder the embedding
   * application owns; idempotent. An operator adopts a mounted share on purpose instead, so that an
   * unmounted one (an empty mount point) stays offline.
   *
   * @return this backend, to chain into {@code SyncRuntime.builder().backend(…)}
   * @throws SyncException when the root or the marker cannot be written
   */
  public StorageBackend adopt() {
    try {
      Files.createDirectories(root);
      Path marker = root.resolve(MARKER);
      if (!Files.exists(marker)) {
        Files.createFile(marker);
      }
      return this;
    } catch (java.io.IOException e) {
      throw new SyncException("cannot write the backend marker in " + root + ": " + e);
    }
  }

  /** Why this backend is offline, in words, or null when it is online. */
  public String offlineReason() {
    if (!Files.isDirectory(root)) {
      return "its root " + root + " does not exist";
    }
    if (requiresMarker && !Files.isRegularFile(root.resolve(MARKER))) {
      return "its root "
          + root
          + " has no "
          + MARKER
          + " marker file (adopt the folder: StorageBackend.adopt(), or `syncjobs backend init "
          + name
          + "`)";
    }
    if (!Files.isWritable(root)) {
      return "its root " + root + " is not writable";
    }
    return null;
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

  /** The size of the root's file system in bytes, or 0 when it cannot be read. */
  public long totalBytes() {
    try {
      return Files.getFileStore(root).getTotalSpace();
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Bytes in use on the root's file system (its size less its unallocated space, as {@code df}
   * counts), or 0 when it cannot be read.
   */
  public long usedBytes() {
    try {
      java.nio.file.FileStore store = Files.getFileStore(root);
      return store.getTotalSpace() - store.getUnallocatedSpace();
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }
}

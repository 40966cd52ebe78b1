package dev.syncjobs.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where versions of a job live: a folder inside a storage backend. The path is relative, with
 * leading and trailing {@code /} stripped, and can never climb out of the backend.
 */
public record Destination(String backendId, String path) {

  public static final int MAX_PATH_LENGTH = 500;

  public Destination {
    List<FieldError> errors = new ArrayList<>();
    if (backendId == null || backendId.isBlank()) {
      errors.add(new FieldError("destination_backend_id", "is required"));
    }
    path = normalise(path, errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  private static String normalise(String raw, List<FieldError> errors) {
    String field = "destination_path";
    if (raw == null) {
      errors.add(new FieldError(field, "is required"));
      return null;
    }
    if (raw.length() > MAX_PATH_LENGTH) {
      errors.add(new FieldError(field, "must be at most " + MAX_PATH_LENGTH + " characters"));
      return raw;
    }
    if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      errors.add(new FieldError(field, "must not contain control characters"));
      return raw;
    }
    if (raw.indexOf('\\') >= 0) {
      errors.add(new FieldError(field, "must not contain backslashes"));
      return raw;
    }
    String p = raw;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      errors.add(new FieldError(field, "must name a folder inside the backend"));
      return p;
    }
    List<String> parts = new ArrayList<>();
    for (String segment : p.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        errors.add(new FieldError(field, "must not contain '..' segments"));
        return p;
      }
      parts.add(segment);
    }
    if (parts.isEmpty()) {
      errors.add(new FieldError(field, "must name a folder inside the backend"));
      return p;
    }
    return String.join("/", parts);
  }

  /**
   * Why this path may not be chosen for a job (by a create or a change), or null when it may. The
   * record accepts these paths, so a job stored before the rule existed still loads; a change to it
   * must fix its path.
   *
   * <ul>
   *   <li>a segment of spaces only: a folder nobody can see or type;
   *   <li>a segment starting with {@code .syncjobs}: the backend's marker {@value
   *       StorageBackend#MARKER}, the bookkeeping folder {@code .syncjobs/} and the transfers' temp
   *       names all start so, and a job living there would write into them or prune them.
   * </ul>
   */
  public String refusal() {
    for (String segment : path.split("/")) {
      if (segment.isBlank()) {
        return "must not have a folder name of only spaces";
      }
      if (segment.startsWith(RESERVED_PREFIX)) {
        return "must not use names starting with "
            + RESERVED_PREFIX
            + " (reserved for syncjobs' own files): "
            + segment;
      }
    }
    return null;
  }

  /** Names syncjobs keeps for its own files inside backends and destinations. */
  public static final String RESERVED_PREFIX = ".syncjobs";

  /**
   * Whether two destinations would prune each other: same backend and one path equal to, inside or
   * around the other.
   */
  public boolean overlaps(Destination other) {
    if (!Objects.equals(backendId, other.backendId)) {
      return false;
    }
    return path.equals(other.path)
        || path.startsWith(other.path + "/")
        || other.path.startsWith(path + "/");
  }
}

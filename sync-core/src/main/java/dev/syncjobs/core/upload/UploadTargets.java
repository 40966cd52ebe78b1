package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.version.StorageBackends;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * Where an upload's bytes live and land. The target path is validated as a job's destination path
 * is (relative, no {@code ..}, no {@code .syncjobs*} names, no control characters) and each name as
 * {@link StagingPaths} judges names a backend can hold, then checked to resolve inside its backend.
 * Folders on the way are walked without following a symbolic link: a link, or a file where a folder
 * must be, refuses the upload instead of being replaced. The data file lives in {@code
 * <backend>/.syncjobs-uploads/<upload id>.data}, on the target's file system (so the finished file
 * is linked into place, not copied) and outside every job's destination.
 */
public final class UploadTargets {
  /** The folder of data files in each backend. */
  public static final String DATA_FOLDER = Destination.RESERVED_PREFIX + "-uploads";

  private final StorageBackends backends;

  public UploadTargets(StorageBackends backends) {
    this.backends = backends;
  }

  /**
   * The target path normalised, or a {@link ValidationException} on {@code file_path} naming why it
   * cannot be one.
   */
  public static String normalise(String backendId, String filePath) {
    Destination d;
    try {
      d = new Destination(backendId == null ? "default" : backendId, filePath);
    } catch (ValidationException e) {
      throw new ValidationException(
          e.errors().stream()
              .map(
                  f ->
                      new FieldError(
                          f.field().equals("destination_path") ? "file_path" : "backend_id",
                          f.message()))
              .toList());
    }
    String refusal = d.refusal();
    if (refusal != null) {
      throw new ValidationException("file_path", refusal);
    }
    for (String segment : d.path().split("/")) {
      Optional<String> p = StagingPaths.nameProblem(segment);
      if (p.isPresent()) {
        throw new ValidationException("file_path", "cannot be held by the backend: " + p.get());
      }
    }
    return d.path();
  }

  /** The named backend, online; a {@link ValidationException} on {@code backend_id} otherwise. */
  public StorageBackend backend(String id) {
    StorageBackend b =
        backends
            .find(id)
            .orElseThrow(
                () ->
                    new ValidationException(
                        "backend_id",
                        "no backend named '"
                            + id
                            + "'; configured: "
                            + String.join(
                                ", ", backends.all().stream().map(StorageBackend::name).toList())));
    if (!b.isOnline()) {
      throw new ValidationException(
          "backend_id", "backend '" + id + "' is offline (its root or marker file is missing)");
    }
    return b;
  }

  /** Where {@code upload}'s file lands, inside its backend. */
  public Path target(StorageBackend backend, String filePath) {
    Path root = backend.root();
    Path target = root.resolve(filePath);
    Path normal = target.normalize();
    if (!normal.equals(target) || !normal.startsWith(root) || normal.equals(root)) {
      throw new ValidationException("file_path", "resolves outside the backend");
    }
    return target;
  }

  /** The data file of {@code id} in {@code backend}. */
  public static Path dataFile(StorageBackend backend, UploadId id) {
    return backend.root().resolve(DATA_FOLDER).resolve(id + ".data");
  }

  /** The data file of an existing upload, or 404 when its backend is no longer configured. */
  public Path dataFile(Upload upload) {
    return dataFile(configured(upload), upload.id());
  }

  /** Every configured backend. */
  public List<StorageBackend> all() {
    return backends.all();
  }

  /** The configured backend of an existing upload, empty when it is no longer configured. */
  public Optional<StorageBackend> configuredIfAny(Upload upload) {
    return backends.find(upload.backendId());
  }

  /** The configured backend of an existing upload. */
  public StorageBackend configured(Upload upload) {
    return backends
        .find(upload.backendId())
        .orElseThrow(
            () ->
                new NotFoundException(
                    "upload "
                        + upload.id()
                        + " is in backend '"
                        + upload.backendId()
                        + "', which is not configured"));
  }

  /**
   * Checks, and with {@code create} makes, the folders from the backend root to {@code target}'s
   * parent; none may be a symbolic link or a file. Then checks nothing exists at the target.
   *
   * @throws ValidationException on {@code file_path} when a link or file stands in the way
   * @throws ConflictException on {@code file_path} when the target exists
   */
  public void prepare(StorageBackend backend, Path target, boolean create) {
    Path root = backend.root();
    Path dir = root;
    List<Path> names = new java.util.ArrayList<>();
    root.relativize(target.getParent() == null ? root : target.getParent()).forEach(names::add);
    try {
      for (Path name : names) {
        if (name.toString().isEmpty()) {
          continue;
        }
        dir = dir.resolve(name);
        BasicFileAttributes a = attributes(dir);
        if (a == null) {
          if (!create) {
            return; // the rest does not exist yet either; nothing is in the way
          }
          try {
            Files.createDirectory(dir);
          } catch (FileAlreadyExistsException raced) {
            a = attributes(dir);
            if (a == null || !a.isDirectory() || a.isSymbolicLink()) {
              throw inTheWay(root, dir);
            }
          }
        } else if (!a.isDirectory() || a.isSymbolicLink()) {
          throw inTheWay(root, dir);
        }
      }
      if (attributes(target) != null) {
        throw new ConflictException(
            "file_path",
            "'" + root.relativize(target) + "' already exists in backend " + backend.name());
      }
    } catch (IOException e) {
      throw new ValidationException(
          "file_path", "cannot prepare its folder in backend " + backend.name() + ": " + e);
    }
  }

  private static ValidationException inTheWay(Path root, Path dir) {
    return new ValidationException(
        "file_path",
        "'"
            + root.relativize(dir)
            + "' is not a folder (a file or a symbolic link, never followed)");
  }

  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}

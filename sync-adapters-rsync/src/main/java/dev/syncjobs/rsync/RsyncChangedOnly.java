package dev.syncjobs.rsync;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.FileTrees;
import dev.syncjobs.core.version.FolderWork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RecursiveAction;
import java.util.function.Consumer;

/**
 * A run that transfers only what a dry run found different ({@link RsyncChanges}): the staging
 * directory gets a hard link to each file and link of the previous version the dry run did not name
 * and a folder for each folder still in the source; rsync then transfers the named entries alone
 * ({@code --files-from}, no recursion, the previous version as their basis); last, each folder
 * rsync did not update gets the previous version's mode, owner and times back (adding entries
 * changed them).
 *
 * <p>rsync only ever touches the entries it is given: files that are not in the staging directory
 * (it writes each one new) and folders this class made. The linked files, shared with the published
 * previous version, are never opened or changed: a file that changes at the source after the dry
 * run keeps its previous state in this version, as if the run had visited it first.
 */
final class RsyncChangedOnly {
  static final String FILES_FROM = "rsync-files-from";

  /** The previous version's folder at {@code relative}, with its attributes. */
  private record Folder(Path relative, PosixFileAttributes attributes) {}

  /** The previous version holds something this run cannot link or name exactly. */
  private static final class Unusable extends IOException {
    Unusable(String message) {
      super(message);
    }
  }

  private RsyncChangedOnly() {}

  /**
   * Fills the staging directory as above.
   *
   * @return rsync's result, or empty when the previous version holds an entry this class cannot
   *     take (the staging directory is then empty again and the run must transfer the whole tree)
   * @throws TransferException when linking fails or rsync cannot run; the staging directory is
   *     emptied, as when rsync exits with an error, so a retry starts over from a dry run and never
   *     runs rsync over links into a published version (rsync's partial files stay in the records)
   */
  static Optional<RsyncExecution.Result> transfer(
      Path rsync,
      TransferRequest request,
      Path previous,
      RsyncChanges changes,
      Path pidFile,
      Consumer<String> log) {
    Path staging = request.staging();
    Path list = Bookkeeping.of(staging).resolve(FILES_FROM);
    try {
      List<Folder> folders = link(previous, staging, changes, request.cancel());
      for (RsyncChanges.Entry e : changes.transfer()) {
        if (!e.folder() && Files.exists(staging.resolve(e.name()), LinkOption.NOFOLLOW_LINKS)) {
          throw new Unusable("'" + e.name() + "' was linked, yet the dry run named it");
        }
      }
      Files.deleteIfExists(list);
      Files.createFile(
          list, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(list, changes.filesFrom(RsyncEndpoint.listPrefix(request.source())));
      log.accept(
          "linked the unchanged entries of "
              + previous.getFileName()
              + "; transferring the "
              + changes.transfer().size()
              + " that differ");
      RsyncExecution.Result result;
      try (RsyncCommand command = RsyncCommand.buildListed(rsync, request, list, log)) {
        result = new RsyncExecution(request, command, pidFile, log).execute();
      }
      if (result.exitCode() == 0 || RsyncExit.isWarning(result.exitCode())) {
        restore(staging, folders, changes);
      } else {
        empty(staging); // the run fails; its retry starts over from a dry run
      }
      return Optional.of(result);
    } catch (Unusable e) {
      log.accept(e.getMessage() + ": transferring the whole tree");
      empty(staging);
      return Optional.empty();
    } catch (IOException e) {
      empty(staging);
      throw new TransferException(
          "cannot stage the unchanged files of " + previous.getFileName() + ": " + e, e);
    } catch (RuntimeException e) {
      empty(staging);
      throw e;
    } finally {
      try {
        Files.deleteIfExists(list);
      } catch (IOException e) {
        log.accept("cannot delete " + list.getFileName() + ": " + e.getMessage());
      }
    }
  }

  /**
   * Links the previous version's unchanged files and makes its remaining folders, folders in
   * parallel ({@link FolderWork}).
   */
  private static List<Folder> link(
      Path previous, Path staging, RsyncChanges changes, CancellationToken cancel)
      throws IOException {
    Queue<Folder> folders = new ConcurrentLinkedQueue<>();
    LinkFolder top = new LinkFolder(previous, staging, changes, cancel, folders, Path.of(""));
    FolderWork.invoke(top);
    return List.copyOf(folders);
  }

  /** One folder of the previous version: made in staging, its files linked, its folders forked. */
  private static final class LinkFolder extends RecursiveAction {
    private final Path previous;
    private final Path staging;
    private final RsyncChanges changes;
    private final CancellationToken cancel;
    private final Queue<Folder> folders;
    private final Path relative;

    LinkFolder(
        Path previous,
        Path staging,
        RsyncChanges changes,
        CancellationToken cancel,
        Queue<Folder> folders,
        Path relative) {
      this.previous = previous;
      this.staging = staging;
      this.changes = changes;
      this.cancel = cancel;
      this.folders = folders;
      this.relative = relative;
    }

    @Override
    protected void compute() {
      try {
        invokeAll(linkHere());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Makes this folder and links its files; returns the tasks of the folders in it. */
    private List<LinkFolder> linkHere() throws IOException {
      cancel.throwIfCancelled();
      Path dir = previous.resolve(relative);
      String name = name(relative);
      if (!name.isEmpty() && (changes.removesFolder(name) || changes.leavesOut(name))) {
        return List.of(); // gone, or a file or link stands there now
      }
      if (!name.isEmpty()) {
        Files.createDirectory(staging.resolve(relative));
      }
      if (!changes.transfersFolder(name)) {
        folders.add(
            new Folder(
                relative,
                Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
      }
      List<LinkFolder> inside = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          Path rel = relative.resolve(entry.getFileName());
          BasicFileAttributes attrs =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.isDirectory()) {
            inside.add(new LinkFolder(previous, staging, changes, cancel, folders, rel));
            continue;
          }
          String entryName = name(rel);
          if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
            throw new Unusable("'" + entryName + "' is neither a file, a link nor a folder");
          }
          if (!changes.leavesOut(entryName) && !changes.transfersFolder(entryName)) {
            // link(2) links a symbolic link itself, never its target
            Files.createLink(staging.resolve(rel), entry);
          }
        }
      }
      return inside;
    }
  }

  /** {@code relative} as the dry run names it; a name the JVM cannot decode exactly is refused. */
  private static String name(Path relative) throws Unusable {
    String name = relative.toString();
    if (name.indexOf('\uFFFD') >= 0) {
      throw new Unusable("a name in the previous version is not in the JVM's file name encoding");
    }
    return name;
  }

  /** Gives the folders rsync did not update the previous version's mode, owner and times. */
  private static void restore(Path staging, List<Folder> folders, RsyncChanges changes)
      throws IOException {
    for (Folder f : folders) {
      Path dir = staging.resolve(f.relative());
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue; // the source turned it into a file or link since the dry run
      }
      PosixFileAttributeView view =
          Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      PosixFileAttributes now = view.readAttributes();
      PosixFileAttributes then = f.attributes();
      if (!now.owner().equals(then.owner())) {
        view.setOwner(then.owner());
      }
      if (!now.group().equals(then.group())) {
        view.setGroup(then.group());
      }
      view.setPermissions(then.permissions());
      view.setTimes(then.lastModifiedTime(), null, null);
    }
  }

  /** Removes everything in the staging directory (links to the previous version included). */
  private static void empty(Path staging) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(staging)) {
      for (Path p : entries) {
        FileTrees.delete(p);
      }
    } catch (IOException e) {
      throw new TransferException("cannot empty " + staging + ": " + e.getMessage(), e);
    }
  }
}

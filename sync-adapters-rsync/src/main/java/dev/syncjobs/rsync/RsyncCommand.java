package dev.syncjobs.rsync;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One rsync invocation for a transfer request: the argument list (never through a shell), the
 * environment, and the private temporary files holding credentials, deleted by {@link #close()}.
 *
 * <p>A daemon password goes to rsync in its environment ({@code RSYNC_PASSWORD}, readable only by
 * this user), never to disk; an ssh key and known_hosts lines go to files in a private temporary
 * directory, removed by {@link #close()} (a JVM killed with SIGKILL cannot remove them).
 *
 * <p>User input only ever reaches rsync as the value of an option it belongs to ({@code
 * --filter=...}) or as the source operand after {@code --}, which always starts with {@code
 * rsync://} or {@code host:}; names are checked so none can be read as an option by rsync or ssh.
 */
final class RsyncCommand implements AutoCloseable {
  /**
   * The partial directory in the staging directory's records ({@link Bookkeeping}): rsync keeps
   * interrupted files there and resumes from them. An absolute path, so rsync puts none in the
   * staging tree and excludes no source name for it.
   */
  static final String PARTIAL_DIR = "rsync-partial";

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9/._+-]+");

  private final List<String> arguments;
  private final Map<String, String> environment;
  private final Path secrets;
  private final boolean ioWatched;

  private RsyncCommand(
      List<String> arguments, Map<String, String> environment, Path secrets, boolean ioWatched) {
    this.arguments = List.copyOf(arguments);
    this.environment = java.util.Collections.unmodifiableMap(new HashMap<>(environment));
    this.secrets = secrets;
    this.ioWatched = ioWatched;
  }

  /**
   * Whether the run's I/O timeout is left to {@link RsyncIoWatch} (no {@code --timeout} for rsync).
   */
  boolean ioWatched() {
    return ioWatched;
  }

  List<String> arguments() {
    return arguments;
  }

  /** Variables to set in the child's environment (a null value removes the variable). */
  Map<String, String> environment() {
    return environment;
  }

  /** Where rsync keeps the interrupted files of {@code staging}. */
  static Path partialDir(Path staging) {
    return Bookkeeping.of(staging).resolve(PARTIAL_DIR);
  }

  /** The command for {@code request}; the I/O timeout is watched from /proc where it can be. */
  static RsyncCommand build(Path rsync, TransferRequest request, Consumer<String> log) {
    return build(rsync, request, log, RsyncIoWatch.available());
  }

  /**
   * @param ioWatched true when {@link RsyncIoWatch} keeps the I/O timeout, false to give rsync
   *     {@code --timeout}; connecting is bounded by rsync and ssh either way
   */
  static RsyncCommand build(
      Path rsync, TransferRequest request, Consumer<String> log, boolean ioWatched) {
    return build(rsync, request, log, ioWatched, null, null);
  }

  /**
   * The dry run that compares the source with {@code previous} ({@link RsyncPreCheck}): the same
   * selection and comparison as {@link #build}, writing nothing, printing each entry that differs
   * ({@code --out-format=%i %n}) and the totals.
   */
  static RsyncCommand buildCheck(
      Path rsync, TransferRequest request, Path previous, Consumer<String> log) {
    return build(rsync, request, log, RsyncIoWatch.available(), previous, null);
  }

  /**
   * The run that transfers only the entries named in {@code filesFrom} ({@link RsyncChangedOnly}):
   * no recursion (a folder named there is made or updated, its contents left alone), nothing
   * deleted, no filter (the dry run's selected the names), the previous version as the basis of
   * changed files.
   */
  static RsyncCommand buildListed(
      Path rsync, TransferRequest request, Path filesFrom, Consumer<String> log) {
    return build(rsync, request, log, RsyncIoWatch.available(), null, filesFrom);
  }

  private static RsyncCommand build(
      Path rsync,
      TransferRequest request,
      Consumer<String> log,
      boolean ioWatched,
      Path checkAgainst,
      Path filesFrom) {
    Source source = request.source();
    SourceAuth auth = request.auth();
    TransferRequest.Options options = request.options();
    List<String> args = new ArrayList<>();
    args.add(rsync.toString());
    // Archive mode without devices and specials: -rlptgo.
    if (filesFrom == null) {
      args.add("--recursive");
    }
    args.addAll(
        List.of(
            "--links",
            "--perms",
            "--times",
            "--group",
            "--owner",
            "--safe-links",
            "--protect-args",
            "--chmod=Fa-w",
            "--no-motd",
            "--no-human-readable",
            "--stats"));
    if (filesFrom == null) {
      args.add("--delete");
      args.add("--delete-excluded");
    } else {
      args.add("--files-from=" + filesFrom.toAbsolutePath());
      args.add("--from0");
    }
    if (checkAgainst == null) {
      args.add("--partial-dir=" + partialDir(request.staging()));
      // Running bytes, rate and list position, with incremental recursion (files move while the
      // list is still coming); no line per listed file (see RsyncProgressParser).
      args.add("--info=progress2");
    } else {
      args.add("--dry-run");
      args.add("--out-format=%i %n");
    }
    long timeout = seconds(options.timeout());
    if (!ioWatched) {
      args.add("--timeout=" + timeout);
    }
    if (options.compareChecksums()) {
      args.add("--checksum");
    }
    if (options.bandwidthLimit() != null) {
      long bytes = options.bandwidthLimit();
      long kib = Math.max(1, bytes / 1024);
      if (bytes < 1024) {
        log.accept("bandwidth limit of " + bytes + " B/s raised to rsync's minimum of 1 KiB/s");
      }
      args.add("--bwlimit=" + kib);
    }
    if (!request.filters().isEmpty() && filesFrom == null) {
      args.add("--prune-empty-dirs");
      for (FilterRule rule : request.filters().rules()) {
        args.add("--filter=" + rule);
      }
    }
    if (checkAgainst == null) {
      request
          .previousVersion()
          .ifPresent(p -> args.add("--link-dest=" + p.toAbsolutePath().normalize()));
    }

    Map<String, String> env = new HashMap<>();
    env.put("LC_ALL", "C");
    for (String v :
        List.of(
            "RSYNC_PASSWORD",
            "RSYNC_RSH",
            "RSYNC_OLD_ARGS",
            "RSYNC_PROTECT_ARGS",
            "RSYNC_CONNECT_PROG",
            "RSYNC_SHELL")) {
      env.put(v, null);
    }

    Path secrets = null;
    try {
      URI uri = source.uri();
      String host = uri.getHost();
      String path = uri.getPath();
      if (!path.endsWith("/")) {
        path = path + "/";
      }
      String operand;
      if (source instanceof Source.Rsync) {
        if (auth != null && auth.type() != SourceAuth.Type.RSYNC) {
          throw new TransferException(
              "an rsync:// source takes 'rsync' credentials, not '" + typeName(auth) + "'",
              false,
              null);
        }
        String user = auth == null ? null : checkUser(auth.username());
        if (auth != null) {
          // In rsync's environment only (readable by this user alone), never on disk.
          env.put("RSYNC_PASSWORD", auth.password());
        } else {
          // An empty password file, so rsync never prompts when a module wants a password.
          args.add("--password-file=" + EmptyPasswordFile.PATH);
        }
        args.add("--contimeout=" + timeout);
        operand =
            "rsync://"
                + (user == null ? "" : user + "@")
                + host
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (filesFrom == null ? path : "/" + module(path) + "/");
      } else if (source instanceof Source.Ssh) {
        if (auth != null && auth.type() != SourceAuth.Type.SSH) {
          throw new TransferException(
              "an ssh:// source takes 'ssh' credentials, not '" + typeName(auth) + "'",
              false,
              null);
        }
        String user = uri.getUserInfo();
        if (user == null && auth != null && auth.username() != null) {
          user = auth.username();
        }
        if (user != null) {
          checkUser(user);
        }
        Path ssh =
            RsyncProcesses.which("ssh")
                .orElseThrow(
                    () ->
                        new TransferException(
                            "ssh binary not found on PATH: install openssh-client to use ssh://"
                                + " sources",
                            false,
                            null));
        List<String> sshArgs = new ArrayList<>();
        sshArgs.add(quote(ssh.toString()));
        if (auth != null) {
          secrets = createPrivateDirectory();
          Path key = secrets.resolve("id");
          String pem = auth.privateKey();
          writePrivate(key, pem.endsWith("\n") ? pem : pem + "\n");
          sshArgs.addAll(List.of("-i", quote(key.toString()), "-o", "IdentitiesOnly=yes"));
          if (auth.knownHosts() != null && !auth.knownHosts().isBlank()) {
            Path knownHosts = secrets.resolve("known_hosts");
            writePrivate(knownHosts, auth.knownHosts().strip() + "\n");
            sshArgs.addAll(List.of("-o", "UserKnownHostsFile=" + quote(knownHosts.toString())));
          }
        }
        // Never trust an unknown host key: without known_hosts in the credentials, the host must
        // be in the server user's known_hosts or the system's.
        sshArgs.addAll(
            List.of(
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=" + timeout));
        if (uri.getPort() > 0) {
          sshArgs.addAll(List.of("-p", Integer.toString(uri.getPort())));
        }
        args.add("--rsh=" + String.join(" ", sshArgs));
        operand = (user == null ? "" : user + "@") + host + ":" + path;
      } else {
        throw new TransferException(
            "the rsync adapter does not handle " + uri.getScheme() + " sources", false, null);
      }
      args.add("--");
      args.add(operand);
      Path destination = checkAgainst == null ? request.staging() : checkAgainst;
      args.add(destination.toAbsolutePath().normalize() + "/");
      return new RsyncCommand(args, env, secrets, ioWatched);
    } catch (IOException e) {
      deleteQuietly(secrets);
      throw new TransferException("cannot write temporary credential files: " + e, e);
    } catch (RuntimeException e) {
      deleteQuietly(secrets);
      throw e;
    }
  }

  /**
   * What each name of a {@link #buildListed} list starts with: for a folder inside a daemon's
   * module, that folder's path in the module and {@code ./} (rsync keeps what follows in the
   * destination). An rsync daemon does not find a listed name below a folder of its module, only
   * below the module's top, so that run reads from the module's top.
   */
  static String listPrefix(Source source) {
    if (!(source instanceof Source.Rsync)) {
      return "";
    }
    String path = source.uri().getPath();
    String inModule = path.substring(Math.min(path.length(), module(path).length() + 2));
    if (inModule.isEmpty() || inModule.equals("/")) {
      return "";
    }
    return (inModule.endsWith("/") ? inModule : inModule + "/") + "./";
  }

  /** The module of a daemon source's path, {@code /module/folder...}. */
  private static String module(String path) {
    int end = path.indexOf('/', 1);
    return end < 0 ? path.substring(1) : path.substring(1, end);
  }

  /**
   * {@code d} in whole seconds, rounded up and at least 1, as rsync's and ssh's timeouts take it.
   */
  static long seconds(java.time.Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** One empty, private password file per JVM (it holds no secret), deleted at exit. */
  private static final class EmptyPasswordFile {
    static final Path PATH = create();

    private static Path create() {
      try {
        Path dir = createPrivateDirectory();
        dir.toFile().deleteOnExit();
        Path file = dir.resolve("no-password");
        writePrivate(file, "");
        file.toFile().deleteOnExit();
        return file;
      } catch (IOException e) {
        throw new TransferException("cannot create an empty password file: " + e, e);
      }
    }
  }

  private static String typeName(SourceAuth auth) {
    return auth.type().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String checkUser(String user) {
    if (user == null || !USER.matcher(user).matches()) {
      throw new TransferException(
          "user name '"
              + user
              + "' is not allowed: use letters, digits, '.', '_' and '-', not starting with '-'",
          false,
          null);
    }
    return user;
  }

  /** Quotes a path for rsync's own splitting of the {@code --rsh} command. */
  private static String quote(String path) {
    if (SAFE_PATH.matcher(path).matches()) {
      return path;
    }
    if (path.contains("'")) {
      throw new TransferException(
          "cannot pass the path " + path + " to ssh: it contains a quote", false, null);
    }
    return "'" + path + "'";
  }

  private static Path createPrivateDirectory() throws IOException {
    return Files.createTempDirectory(
        "syncjobs-rsync-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  /** Deletes the temporary credential files. */
  @Override
  public void close() {
    deleteQuietly(secrets);
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      FileTrees.delete(dir);
    } catch (IOException ignored) {
      // best effort; the directory is private to this user
    }
  }
}

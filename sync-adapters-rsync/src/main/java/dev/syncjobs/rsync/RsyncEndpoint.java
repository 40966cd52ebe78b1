package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.version.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How rsync reaches a source: the options that connect (a daemon's empty password file and connect
 * timeout, or the ssh command), the environment, the private temporary files holding credentials
 * (deleted by {@link #close()}), and the source operand.
 *
 * <p>A daemon password goes to rsync in its environment ({@code RSYNC_PASSWORD}, readable only by
 * this user), never to disk; an ssh key and known_hosts lines go to files in a private temporary
 * directory, removed by {@link #close()} (a JVM killed with SIGKILL cannot remove them). The
 * operand always starts with {@code rsync://} or {@code host:}, and user names are checked, so none
 * can be read as an option by rsync or ssh.
 */
final class RsyncEndpoint implements AutoCloseable {
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9/._+-]+");

  private final List<String> options;
  private final Map<String, String> environment;
  private final Path secrets;
  private final String operand;
  private final String moduleTopOperand;

  private RsyncEndpoint(
      List<String> options,
      Map<String, String> environment,
      Path secrets,
      String operand,
      String moduleTopOperand) {
    this.options = List.copyOf(options);
    this.environment = Collections.unmodifiableMap(new HashMap<>(environment));
    this.secrets = secrets;
    this.operand = operand;
    this.moduleTopOperand = moduleTopOperand;
  }

  /** rsync's options that connect it to the source. */
  List<String> options() {
    return options;
  }

  /** Variables to set in rsync's environment (a null value removes the variable). */
  Map<String, String> environment() {
    return environment;
  }

  /** The source folder, as rsync's source operand (ending in {@code /}: its contents). */
  String operand() {
    return operand;
  }

  /**
   * The top of the daemon module holding the source folder (the folder itself over ssh), for a run
   * whose listed names start with {@link #listPrefix}.
   */
  String moduleTopOperand() {
    return moduleTopOperand;
  }

  /**
   * Checks the source and its credentials and writes the credential files.
   *
   * @param timeout seconds to connect
   * @throws TransferException for credentials of the wrong kind, a user name rsync or ssh could
   *     read as an option, a missing ssh, or credential files that cannot be written
   */
  static RsyncEndpoint of(Source source, SourceAuth auth, long timeout) {
    List<String> args = new ArrayList<>();
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
      String moduleTop = null;
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
        String daemon =
            "rsync://"
                + (user == null ? "" : user + "@")
                + host
                + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        operand = daemon + path;
        moduleTop = daemon + "/" + module(path) + "/";
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
      return new RsyncEndpoint(
          args, env, secrets, operand, moduleTop == null ? operand : moduleTop);
    } catch (IOException e) {
      deleteQuietly(secrets);
      throw new TransferException("cannot write temporary credential files: " + e, e);
    } catch (RuntimeException e) {
      deleteQuietly(secrets);
      throw e;
    }
  }

  /**
   * What each name of a {@link RsyncCommand#buildListed} list starts with: for a folder inside a
   * daemon's module, that folder's path in the module and {@code ./} (rsync keeps what follows in
   * the destination). An rsync daemon does not find a listed name below a folder of its module,
   * only below the module's top, so that run reads from the module's top.
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

package dev.syncjobs.rsync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a free loopback port, with a temporary host key and one authorized
 * client key, for logging in as the user running the tests.
 */
final class SshServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final String clientKey;
  private final String knownHosts;
  private final Path dir;

  private SshServer(Process process, int port, String clientKey, String knownHosts, Path dir) {
    this.process = process;
    this.port = port;
    this.clientKey = clientKey;
    this.knownHosts = knownHosts;
    this.dir = dir;
  }

  static SshServer start(Path workDir) throws IOException, InterruptedException {
    Path sshd = Tools.require("/usr/sbin/sshd", "openssh-server");
    Path keygen = Tools.require("ssh-keygen", "openssh-client");
    Tools.require("ssh", "openssh-client");
    Tools.require("rsync", "rsync");
    Path dir = Files.createDirectories(workDir.resolve("sshd"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    keygen(keygen, dir.resolve("host_key"));
    keygen(keygen, dir.resolve("client_key"));
    keygen(keygen, dir.resolve("other_key"));
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    Path privsep = Path.of("/run/sshd");
    if (!Files.isDirectory(privsep)) {
      try {
        Files.createDirectories(privsep);
      } catch (IOException e) {
        // sshd will say what it misses
      }
    }
    String config =
        String.join(
            "\n",
            "ListenAddress 127.0.0.1",
            "HostKey " + dir.resolve("host_key"),
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PidFile none",
            "LogLevel ERROR",
            "");
    Path conf = dir.resolve("sshd_config");
    Files.writeString(conf, config);
    String hostPub = Files.readString(dir.resolve("host_key.pub")).trim();
    for (int attempt = 0; ; attempt++) {
      int port = Tools.freePort();
      Process p =
          new ProcessBuilder(
                  List.of(sshd.toString(), "-D", "-e", "-f", conf.toString(), "-p", "" + port))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("sshd.log").toFile())
              .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (p.isAlive() && !Tools.accepts(port) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (p.isAlive() && Tools.accepts(port)) {
        return new SshServer(
            p,
            port,
            Files.readString(dir.resolve("client_key")),
            "[127.0.0.1]:" + port + " " + hostPub + "\n",
            dir);
      }
      p.destroyForcibly();
      if (attempt >= 3) {
        throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
      }
    }
  }

  private static void keygen(Path keygen, Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                keygen.toString(),
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "test",
                "-f",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException("ssh-keygen failed: " + out);
    }
  }

  int port() {
    return port;
  }

  String user() {
    return System.getProperty("user.name");
  }

  /** The client's private key (OpenSSH format), authorized on this server. */
  String clientKey() {
    return clientKey;
  }

  /** A private key the server does not accept. */
  String otherKey() throws IOException {
    return Files.readString(dir.resolve("other_key"));
  }

  /** known_hosts lines naming this server's host key. */
  String knownHosts() {
    return knownHosts;
  }

  /** known_hosts lines naming another key for this server's address. */
  String wrongKnownHosts() throws IOException {
    return "[127.0.0.1]:"
        + port
        + " "
        + Files.readString(dir.resolve("other_key.pub")).trim()
        + "\n";
  }

  String url(Path absolutePath) {
    return "ssh://" + user() + "@127.0.0.1:" + port + absolutePath;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}

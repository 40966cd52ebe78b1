package dev.syncjobs.rsync;

import static org.junit.jupiter.api.Assertions.fail;

import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** Finding external tools, free ports and waiting with deadlines, for the adapter's tests. */
final class Tools {
  private Tools() {}

  /**
   * The tool's path; when missing the test is skipped with one loud line, or fails when {@code
   * CI=true}.
   */
  static Path require(String name, String debianPackage) {
    Optional<Path> found =
        name.startsWith("/")
            ? Optional.of(Path.of(name)).filter(Files::isExecutable)
            : RsyncProcesses.which(name);
    if (found.isEmpty()) {
      String message =
          "SKIPPED: '" + name + "' is not installed (Debian package " + debianPackage + ")";
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " and CI=true requires it");
      }
      System.err.println("*** " + message + " ***");
      Assumptions.assumeTrue(false, message);
    }
    return found.get();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Await.until(what, timeout, condition);
  }
}

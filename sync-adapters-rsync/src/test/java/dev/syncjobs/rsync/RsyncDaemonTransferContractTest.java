package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** {@link RsyncTransfer} against a real {@code rsync --daemon} on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RsyncDaemonTransferContractTest extends TransferContract {
  private final RsyncTransfer transfer = new RsyncTransfer();
  private Path work;
  private Path served;
  private RsyncDaemon daemon;

  @BeforeAll
  void startDaemon() throws Exception {
    Tools.require("rsync", "rsync");
    work = Files.createTempDirectory("syncjobs-rsync-contract-");
    served = Files.createDirectories(work.resolve("served"));
    daemon = RsyncDaemon.start(work, served);
  }

  @AfterAll
  void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (work != null) {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
          p.toFile().setWritable(true);
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Override
  protected Transfer transfer() {
    return transfer;
  }

  @Override
  protected Path newSourceRoot() throws Exception {
    return Files.createDirectories(served.resolve("t-" + UUID.randomUUID()));
  }

  @Override
  protected Source serve(Path root) {
    return Source.parse(daemon.url("data/" + served.relativize(root)));
  }
}

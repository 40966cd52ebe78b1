package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a slow transfer in its own JVM, printing {@code TRANSFERRING} once data flows, so a test can
 * kill this JVM and check that rsync dies with it. Arguments: source URL, staging directory.
 */
final class RsyncChildMain {
  private RsyncChildMain() {}

  public static void main(String[] args) {
    AtomicBoolean announced = new AtomicBoolean();
    new RsyncTransfer()
        .transfer(
            new TransferRequest(
                Source.parse(args[0]),
                null,
                null,
                Path.of(args[1]),
                Optional.empty(),
                null,
                new TransferRequest.Options(true, false, 256L * 1024, Duration.ofSeconds(30)),
                p -> {
                  if (p.bytesDone() > 0 && announced.compareAndSet(false, true)) {
                    System.out.println("TRANSFERRING");
                    System.out.flush();
                  }
                },
                null,
                line -> {}));
  }
}

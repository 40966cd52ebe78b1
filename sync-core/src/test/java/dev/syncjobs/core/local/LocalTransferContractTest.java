package dev.syncjobs.core.local;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link LocalTransfer} against folders on the local disk. */
class LocalTransferContractTest extends TransferContract {
  private final LocalTransfer transfer = new LocalTransfer();
  private final AtomicInteger roots = new AtomicInteger();

  @Override
  protected Transfer transfer() {
    return transfer;
  }

  @Override
  protected Path newSourceRoot() throws Exception {
    return Files.createDirectories(work.resolve("src-" + roots.incrementAndGet()));
  }

  @Override
  protected Source serve(Path root) {
    return Source.parse(root.toUri().toString());
  }
}

package dev.syncjobs.core.memory;

import dev.syncjobs.core.port.JobRepositoryContract;
import dev.syncjobs.core.port.PortsUnderTest;

class InMemoryJobRepositoryContractTest extends JobRepositoryContract {
  @Override
  protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
    InMemoryRunRepository runs = new InMemoryRunRepository();
    return new PortsUnderTest(
        new InMemoryJobRepository(runs), runs, new InMemoryRunLog((int) runLogMaxBytes));
  }
}

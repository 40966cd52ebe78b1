package dev.syncjobs.core.memory;

import dev.syncjobs.core.port.PortsUnderTest;
import dev.syncjobs.core.port.RunLogContract;

class InMemoryRunLogContractTest extends RunLogContract {
  @Override
  protected PortsUnderTest openEmptyStore(long runLogMaxBytes) {
    InMemoryRunRepository runs = new InMemoryRunRepository();
    return new PortsUnderTest(
        new InMemoryJobRepository(runs), runs, new InMemoryRunLog((int) runLogMaxBytes));
  }
}

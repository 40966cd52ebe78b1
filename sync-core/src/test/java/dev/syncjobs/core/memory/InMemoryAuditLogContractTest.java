package dev.syncjobs.core.memory;

import dev.syncjobs.core.port.AuditLogContract;

class InMemoryAuditLogContractTest extends AuditLogContract {
  @Override
  protected Store openEmptyStore() {
    InMemoryRunRepository runs = new InMemoryRunRepository();
    return new Store(
        new InMemoryAuditLog(),
        new InMemoryJobRepository(runs),
        runs,
        new InMemorySettingsRepository());
  }
}

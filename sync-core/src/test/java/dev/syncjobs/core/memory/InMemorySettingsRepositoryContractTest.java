package dev.syncjobs.core.memory;

import dev.syncjobs.core.port.SettingsRepositoryContract;

class InMemorySettingsRepositoryContractTest extends SettingsRepositoryContract {
  @Override
  protected Store openEmptyStore() {
    return new Store(
        new InMemorySettingsRepository(), new InMemoryJobRepository(new InMemoryRunRepository()));
  }
}

package dev.syncjobs.core.memory;

import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.port.UploadRepositoryContract;

class InMemoryUploadRepositoryContractTest extends UploadRepositoryContract {
  @Override
  protected UploadRepository openEmptyStore() {
    return new InMemoryUploadRepository();
  }
}

package dev.syncjobs.core.job;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.port.Transfer;
import java.util.List;

/**
 * The source policy of saved jobs that first refuses a source no registered transfer reads, so that
 * an {@code http} job in a runtime without the HTTP adapter is refused when it is saved, not when
 * it runs; then asks the given policy.
 */
public final class KnownTransfers implements SourcePolicy {
  private final List<Transfer> transfers;
  private final SourcePolicy policy;

  public KnownTransfers(List<Transfer> transfers, SourcePolicy policy) {
    this.transfers = List.copyOf(transfers);
    this.policy = policy;
  }

  /**
   * @throws ValidationException naming {@code source_url} when no transfer supports the source, or
   *     when the given policy refuses it
   */
  @Override
  public void checkSaved(Source source) {
    if (transfers.stream().noneMatch(t -> t.supports(source))) {
      String scheme = source.uri().getScheme();
      throw new ValidationException(
          "source_url",
          "no transfer reads "
              + scheme
              + ":// sources in this runtime (add one, e.g. "
              + (source instanceof Source.Http ? "HttpTransfer" : "RsyncTransfer")
              + ", with SyncRuntime.Builder.transfer)");
    }
    policy.checkSaved(source);
  }

  @Override
  public Source admit(Source source) {
    return policy.admit(source);
  }
}

package dev.syncjobs.core.testing;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;

/**
 * A transfer that accepts {@code http(s)} sources but is never run: for tests that save http jobs
 * in a runtime without the HTTP adapter.
 */
public final class HttpInNameOnly implements Transfer {
  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Http;
  }

  @Override
  public TransferReport transfer(TransferRequest request) {
    throw new UnsupportedOperationException("this transfer only accepts http sources when saved");
  }
}

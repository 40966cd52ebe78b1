package dev.syncjobs.app.wiring;

import dev.syncjobs.core.local.LocalTransfer;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.http.HttpSettings;
import dev.syncjobs.http.HttpTransfer;
import dev.syncjobs.rsync.RsyncTransfer;
import java.util.List;

/**
 * The transfer adapters of this build, chosen per run by the source's scheme: {@code file://}
 * local, {@code http(s)://} HTTP, {@code rsync://} and {@code ssh://} rsync. One instance of each
 * per runtime, so the HTTP adapter's global token bucket is shared by all runs.
 */
public final class Transfers {
  private Transfers() {}

  /**
   * @param rsyncPath the rsync binary (SYNCJOBS_RSYNC_PATH), or null for rsync on PATH
   * @param httpConnections parallel connections of one HTTP run (SYNCJOBS_HTTP_CONNECTIONS)
   * @param deniedNetworks addresses network sources may never reach (SYNCJOBS_SOURCE_DENY_NETWORKS)
   */
  public static List<Transfer> all(
      String rsyncPath, int httpConnections, DeniedNetworks deniedNetworks) {
    return List.of(
        new LocalTransfer(),
        new HttpTransfer(
            HttpSettings.defaults()
                .withConnections(httpConnections)
                .withDeniedNetworks(deniedNetworks)),
        new RsyncTransfer(
            rsyncPath == null || rsyncPath.isBlank() ? "rsync" : rsyncPath, deniedNetworks));
  }
}

package dev.syncjobs.app.cli;

import dev.syncjobs.core.local.LocalTransfer;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.http.HttpSettings;
import dev.syncjobs.http.HttpTransfer;
import java.util.List;

/** The transfer adapters of this build, chosen per run by the source's scheme. */
public final class Transfers {
  private Transfers() {}

  /**
   * @param rsyncPath the rsync binary (SYNCJOBS_RSYNC_PATH), or null for rsync on PATH
   * @param httpConnections parallel connections of one HTTP run (SYNCJOBS_HTTP_CONNECTIONS)
   */
  public static List<Transfer> all(String rsyncPath, int httpConnections) {
    return List.of(
        new LocalTransfer(),
        new HttpTransfer(HttpSettings.defaults().withConnections(httpConnections)));
  }
}

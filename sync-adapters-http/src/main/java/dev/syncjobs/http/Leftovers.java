package dev.syncjobs.http;

import dev.syncjobs.core.progress.ProgressCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Files an interrupted attempt completed in a reused staging directory, reused when they check out.
 */
final class Leftovers {
  private Leftovers() {}

  /**
   * A file an interrupted attempt already completed in this staging directory (it was renamed into
   * place only after verification, with the server's modification time), or null.
   */
  static Downloader.Result reuse(
      RemoteFile f,
      Path target,
      Checksums.Expected exp,
      boolean verify,
      Consumer<String> log,
      ProgressCounter progress)
      throws IOException {
    if (!target.toFile().exists() // no exception for the usual "not there"
        || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
        || f.size() == null
        || f.mtime() == null
        || Files.size(target) != f.size()) {
      return null;
    }
    Instant local = Files.getLastModifiedTime(target).toInstant();
    if (Math.abs(local.getEpochSecond() - f.mtime().getEpochSecond())
        >= Math.max(1, f.precisionSeconds())) {
      return null;
    }
    String sha = verify ? Digests.hashFile(target, "SHA-256") : null;
    if (exp != null) {
      String actual =
          exp.algorithm().equals("SHA-256") ? sha : Digests.hashFile(target, exp.algorithm());
      if (!exp.hex().equals(actual)) {
        return null;
      }
    }
    Files.setPosixFilePermissions(target, Downloader.READ_ONLY);
    log.accept("reusing " + f.path() + " completed by an earlier attempt");
    progress.bytes(f.size());
    return new Downloader.Result(f.size(), local, f.etag(), sha);
  }
}

package dev.syncjobs.http;

import java.net.URI;
import java.nio.file.Path;

/** Runs one transfer in a child JVM so a test can kill it like a crash: url, staging, threshold. */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    Fixture fx = new Fixture();
    HttpTransfer t =
        new HttpTransfer(Fixture.fastSettings().withSegments(Long.parseLong(args[2]), 4));
    t.transfer(fx.request(URI.create(args[0]), Path.of(args[1]), null));
  }
}

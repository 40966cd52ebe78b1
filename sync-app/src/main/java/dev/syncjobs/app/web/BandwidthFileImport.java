package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.port.SettingsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the bandwidth settings of an older version, kept per instance in {@code
 * <data>/bandwidth.json}, into the shared settings once: stored when the database has none yet (in
 * cluster mode the first instance to start wins), then the file is renamed to {@code
 * bandwidth.json.imported} so it is neither read again nor mistaken for the live settings.
 */
public final class BandwidthFileImport {
  private static final Logger log = LoggerFactory.getLogger(BandwidthFileImport.class);

  /** The file older versions kept the settings in, under the data dir. */
  public static final String FILE = "bandwidth.json";

  private BandwidthFileImport() {}

  /**
   * Imports {@code <dataDir>/bandwidth.json} when it exists; returns whether its values were
   * stored. A file that cannot be read or holds invalid values is left in place with a warning: the
   * server starts with the database's settings.
   */
  public static boolean importOnce(Path dataDir, SettingsRepository settings) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    BandwidthSettings values;
    try {
      JsonNode json = Json.MAPPER.readTree(Files.readString(file));
      if (!(json instanceof ObjectNode body)) {
        throw new IllegalArgumentException("not a JSON object");
      }
      values = BandwidthJson.parse(body);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{} could not be imported into the database and is ignored ({}); set the bandwidth"
              + " through PUT /api/v1/sync/bandwidth/limit",
          file,
          e.getMessage());
      return false;
    }
    boolean stored = settings.saveBandwidthIfAbsent(values);
    Path done = file.resolveSibling(FILE + ".imported");
    try {
      Files.move(file, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("could not rename {} to {}: {}", file, done.getFileName(), e.toString());
    }
    if (stored) {
      log.info(
          "imported the bandwidth settings of {} into the database (shared by every instance);"
              + " the file is now {}",
          file,
          done.getFileName());
    } else {
      log.info(
          "the database already holds bandwidth settings: kept them, ignored {} (now {})",
          file,
          done.getFileName());
    }
    return stored;
  }
}

package dev.syncjobs.persistence;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Collection;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.scanner.Scanner;

/**
 * The migration files as Flyway reads them, with {@code ${prefix}} replaced by the table prefix.
 *
 * <p>The replacement is done here rather than by Flyway's placeholders because Flyway computes a
 * versioned migration's checksum from the text before its own replacement: here the checksum is
 * computed from the replaced text, so a database made before the prefix existed (no prefix: the
 * replaced text is the old file byte for byte) validates unchanged, and one with a prefix is
 * checked against the statements that really ran. Files are found by Flyway's own scanner, which
 * knows every kind of class path (a plain jar, a shaded one, a Spring Boot jar).
 */
final class Migrations implements ResourceProvider {
  static final String PLACEHOLDER = "${prefix}";

  private final ResourceProvider files;
  private final String prefix;

  Migrations(Configuration configuration, Location location, String prefix) {
    this.files = new Scanner<>(JavaMigration.class, configuration, new Location[] {location});
    this.prefix = prefix;
  }

  @Override
  public LoadableResource getResource(String name) {
    LoadableResource found = files.getResource(name);
    return found == null ? null : new Prefixed(found, prefix);
  }

  @Override
  public Collection<LoadableResource> getResources(String start, String... suffixes) {
    return files.getResources(start, suffixes).stream()
        .map(r -> (LoadableResource) new Prefixed(r, prefix))
        .toList();
  }

  /** {@code text} as run for tables named with {@code prefix}. */
  static String withPrefix(String text, String prefix) {
    return text.replace(PLACEHOLDER, prefix);
  }

  private static final class Prefixed extends LoadableResource {
    private final LoadableResource file;
    private final String prefix;

    Prefixed(LoadableResource file, String prefix) {
      this.file = file;
      this.prefix = prefix;
    }

    @Override
    public Reader read() {
      try (Reader in = file.read()) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          text.append(buffer, 0, n);
        }
        return new StringReader(withPrefix(text.toString(), prefix));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read migration " + file.getFilename(), e);
      }
    }

    @Override
    public String getAbsolutePath() {
      return file.getAbsolutePath();
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return file.getAbsolutePathOnDisk();
    }

    @Override
    public String getFilename() {
      return file.getFilename();
    }

    @Override
    public String getRelativePath() {
      return file.getRelativePath();
    }
  }
}

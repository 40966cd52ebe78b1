package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every statement names syncjobs' tables in braces ({@code FROM {jobs}}), so that a table prefix
 * reaches it, and every migration writes {@code ${prefix}} before each table and index it creates
 * or names. A name without them works without a prefix and fails only in an embed with one.
 */
class StatementTablesTest {
  private static final String TABLES = String.join("|", Tables.NAMES);
  private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern BARE =
      Pattern.compile(
          "\\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\\s+(?:"
              + TABLES
              + ")\\b|(?<![\\w.{])(?:"
              + TABLES
              + ")\\.(?!updated\\b|changed\\b|deleted\\b|created\\b)\\w");
  private static final Pattern MIGRATION_BARE =
      Pattern.compile(
          "\\b(?:TABLE|INDEX|REFERENCES|ON|INTO|CONSTRAINT)\\s+(?!\\$\\{prefix\\})(?!IF\\b|CONFLICT\\b|DELETE\\b|UPDATE\\b)\\w+");

  @Test
  void statements_name_tables_in_braces() throws IOException {
    List<String> bare = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/syncjobs/persistence"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (line.startsWith("*") || line.startsWith("/")) {
            continue;
          }
          Matcher literal = LITERAL.matcher(line);
          while (literal.find()) {
            if (BARE.matcher(literal.group()).find()) {
              bare.add(file.getFileName() + ":" + (i + 1) + ": " + literal.group());
            }
          }
        }
      }
    }
    assertThat(bare).as("statements naming a table without braces").isEmpty();
  }

  @Test
  void migrations_prefix_every_name_they_create_or_use() throws IOException {
    List<String> bare = new ArrayList<>();
    for (String dialect : List.of("sqlite", "postgresql")) {
      Path dir = Path.of("src/main/resources/db/migration", dialect);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.sorted().toList()) {
          List<String> lines = Files.readAllLines(file);
          for (int i = 0; i < lines.size(); i++) {
            String code = lines.get(i).split("--", 2)[0];
            Matcher m = MIGRATION_BARE.matcher(code);
            while (m.find()) {
              bare.add(dialect + "/" + file.getFileName() + ":" + (i + 1) + ": " + m.group());
            }
          }
        }
      }
    }
    assertThat(bare).as("names in migrations without ${prefix}").isEmpty();
  }
}

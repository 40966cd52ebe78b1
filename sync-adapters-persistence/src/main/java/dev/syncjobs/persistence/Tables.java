package dev.syncjobs.persistence;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The names syncjobs gives its tables, indexes, Flyway history table and PostgreSQL notification
 * channels in one database: each with the configured prefix, so an application can keep syncjobs'
 * tables beside its own in one schema, and two embeds with different prefixes share a schema
 * without seeing each other.
 *
 * <p>Statements name a table in braces, {@code SELECT … FROM {jobs} WHERE …}; {@link #sql} writes
 * the prefixed name in (the connections {@link Database} hands out do it for every statement they
 * prepare). Migrations write {@code ${prefix}jobs} (see {@link Migrations}).
 */
final class Tables {
  /** Every table of the schema, as named in statements (without prefix). */
  static final List<String> NAMES =
      List.of(
          "jobs",
          "runs",
          "run_logs",
          "run_log_lines",
          "settings",
          "manual_run_grants",
          "uploads",
          "upload_chunks",
          "upload_cleanup",
          "audit_log");

  /** The server's history table, kept so that existing databases upgrade unchanged. */
  static final String DEFAULT_HISTORY_TABLE = "flyway_schema_history";

  /**
   * A prefix is lower case (PostgreSQL folds unquoted names, Flyway quotes its own) and short
   * enough that the longest index name stays within PostgreSQL's 63 characters.
   */
  private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** Statement texts are a bounded set (constants, and a few with a bounded count of marks). */
  private static final int MAX_CACHED = 4096;

  private final String prefix;
  private final String historyTable;
  private final Map<String, String> expanded = new ConcurrentHashMap<>();

  Tables(String prefix, String historyTable) {
    this.prefix = checkPrefix(prefix);
    this.historyTable =
        historyTable != null
            ? checkIdentifier(historyTable, "the Flyway history table")
            : this.prefix.isEmpty() ? DEFAULT_HISTORY_TABLE : this.prefix + "schema_history";
  }

  /** No prefix, Flyway's default history table: the server's schema. */
  static Tables unprefixed() {
    return new Tables("", null);
  }

  static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("tablePrefix must not be null (use \"\" for none)");
    }
    if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "tablePrefix must be lower-case letters, digits and '_', start with a letter or '_' and"
              + " be at most 40 characters: "
              + prefix);
    }
    return prefix;
  }

  private static String checkIdentifier(String name, String what) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be lower-case letters, digits and '_', start with a letter or '_' and be at"
              + " most 63 characters: "
              + name);
    }
    return name;
  }

  String prefix() {
    return prefix;
  }

  String historyTable() {
    return historyTable;
  }

  /** The prefixed name of {@code table} (one of {@link #NAMES}). */
  String name(String table) {
    return prefix + table;
  }

  /** {@code template} with each {@code {table}} replaced by the table's prefixed name. */
  String sql(String template) {
    if (template.indexOf('{') < 0) {
      return template;
    }
    String cached = expanded.get(template);
    if (cached != null) {
      return cached;
    }
    String sql = template;
    for (String table : NAMES) {
      sql = sql.replace("{" + table + "}", prefix + table);
    }
    if (expanded.size() < MAX_CACHED) {
      expanded.put(template, sql);
    }
    return sql;
  }

  /**
   * The PostgreSQL notification channel of {@code kind} for tables in {@code schema}: instances on
   * the same schema and prefix form one cluster, and no other's notifications reach them.
   */
  String channel(String schema, String kind) {
    String s = schema.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String start = prefix.isEmpty() ? "syncjobs_" : prefix;
    String name = s.equals("public") ? start + kind : start + s + "_" + kind;
    return name.length() > 63 ? name.substring(0, 63) : name;
  }
}

package dev.syncjobs.core.port;

import dev.syncjobs.core.model.AuditEntry;
import java.time.Instant;
import java.util.List;

/**
 * The audit trail: every change made through the API, newest first. A store that also holds the
 * changed data records an entry in the transaction of its change (see {@link AuditScope}); {@link
 * #record} writes one on its own.
 *
 * <p>Methods throw {@link dev.syncjobs.core.model.SyncException} when the store fails.
 */
public interface AuditLog {

  /** Records {@code entry} (its resource id set) in a transaction of its own. */
  void record(AuditEntry entry);

  /**
   * The entries matching {@code query}, newest first (entries made at the same instant: last
   * first).
   */
  List<AuditEntry> list(Query query);

  /** How many entries match {@code query}'s filters (its limit and offset ignored). */
  long count(Query query);

  /** Deletes at most {@code batch} entries made before {@code cutoff}; returns how many. */
  int deleteBefore(Instant cutoff, int batch);

  /**
   * A page of entries.
   *
   * @param resourceType only entries of this resource type; null for all
   * @param resourceId only entries of this resource id; null for all
   * @param limit 1..1000
   * @param offset entries skipped, at least 0
   */
  record Query(String resourceType, String resourceId, int limit, int offset) {
    public Query {
      if (limit < 1 || limit > 1000) {
        throw new IllegalArgumentException("limit must be 1..1000");
      }
      if (offset < 0) {
        throw new IllegalArgumentException("offset must be at least 0");
      }
    }
  }
}

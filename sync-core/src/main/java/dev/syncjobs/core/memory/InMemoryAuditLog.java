package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.port.AuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** {@link AuditLog} in memory, for tests and embedding: one instance, nothing durable. */
public final class InMemoryAuditLog implements AuditLog {
  private record Stored(long seq, AuditEntry entry) {}

  private final List<Stored> entries = new ArrayList<>();
  private long seq;

  @Override
  public synchronized void record(AuditEntry entry) {
    Objects.requireNonNull(entry.resourceId(), "the entry names no resource");
    entries.add(new Stored(++seq, entry));
  }

  @Override
  public synchronized List<AuditEntry> list(Query query) {
    return entries.stream()
        .filter(s -> matches(s.entry(), query))
        .sorted(
            Comparator.comparing((Stored s) -> s.entry().at())
                .thenComparingLong(Stored::seq)
                .reversed())
        .skip(query.offset())
        .limit(query.limit())
        .map(Stored::entry)
        .toList();
  }

  @Override
  public synchronized long count(Query query) {
    return entries.stream().filter(s -> matches(s.entry(), query)).count();
  }

  @Override
  public synchronized int deleteBefore(Instant cutoff, int batch) {
    List<Stored> old =
        entries.stream().filter(s -> s.entry().at().isBefore(cutoff)).limit(batch).toList();
    entries.removeAll(new ArrayList<>(old));
    return old.size();
  }

  private static boolean matches(AuditEntry e, Query q) {
    return (q.resourceType() == null || q.resourceType().equals(e.resourceType()))
        && (q.resourceId() == null || q.resourceId().equals(e.resourceId()));
  }
}

package dev.syncjobs.core.port;

import dev.syncjobs.core.model.AuditEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Makes an audit entry part of the change it describes. The caller (the API) opens a scope on its
 * thread with the entries its request may cause; the store method that makes the change takes the
 * entry of its action ({@link #take}) and writes it in the transaction of the change, so the change
 * and its record commit or fail together. Only the method that makes the change takes an entry of
 * its action ({@code job.created} only by creating a job), so other writes in the same request (a
 * manual-run grant, say) never carry it.
 *
 * <p>A store that cannot write entries (the in-memory ones) takes nothing: a {@linkplain
 * Pending#required required} entry nobody took is then recorded through the {@link AuditLog} once
 * the change returned. An optional entry (an upload's completion, which a chunk request causes only
 * when it is the last) is recorded only by a store that took it.
 */
public final class AuditScope {
  private static final ThreadLocal<List<Pending>> PENDING = new ThreadLocal<>();

  private AuditScope() {}

  /**
   * An entry waiting for the change it records.
   *
   * @param entry the entry; its resource id may be null when the store assigns the id
   * @param required whether it is recorded even when no store took it (the change returned)
   */
  public record Pending(AuditEntry entry, boolean required) {}

  /**
   * Runs {@code change} with {@code entries} pending on this thread. When it returns, each required
   * entry no store took is recorded through {@code log} (naming {@code idOf} of the result when it
   * named no resource); when it throws, nothing more is recorded.
   */
  public static <T> T run(
      AuditLog log, List<Pending> entries, Supplier<T> change, Function<? super T, String> idOf) {
    List<Pending> previous = PENDING.get();
    List<Pending> pending = new ArrayList<>(entries);
    PENDING.set(pending);
    T result;
    try {
      result = change.get();
    } finally {
      if (previous == null) {
        PENDING.remove();
      } else {
        PENDING.set(previous);
      }
    }
    for (Pending p : pending) {
      if (p.required()) {
        AuditEntry e = p.entry();
        log.record(e.resourceId() == null ? e.withResourceId(idOf.apply(result)) : e);
      }
    }
    return result;
  }

  /**
   * For stores: the pending entry of {@code action} on this thread, naming {@code resourceId} when
   * it named none, removed from the scope (a store that takes it writes it with its change).
   */
  public static Optional<AuditEntry> take(String action, String resourceId) {
    List<Pending> pending = PENDING.get();
    if (pending == null) {
      return Optional.empty();
    }
    for (int i = 0; i < pending.size(); i++) {
      AuditEntry e = pending.get(i).entry();
      if (e.action().equals(action)
          && (e.resourceId() == null || e.resourceId().equals(resourceId))) {
        pending.remove(i);
        return Optional.of(e.resourceId() == null ? e.withResourceId(resourceId) : e);
      }
    }
    return Optional.empty();
  }
}

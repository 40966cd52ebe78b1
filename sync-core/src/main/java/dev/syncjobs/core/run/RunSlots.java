package dev.syncjobs.core.run;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs of this instance: those transferring (each holds one of {@code maxConcurrentRuns} slots)
 * and those whose transfer has ended and whose outcome is being recorded (they no longer hold a
 * slot, so the next run starts while they commit, but they keep their lease until recorded). Also
 * remembers which runs a graceful shutdown stopped, since those are followed by a resume rather
 * than recorded as a user's cancel.
 */
final class RunSlots {
  record Active(Run run, CancellationToken token) {}

  private final int maxConcurrentRuns;
  private final Map<RunId, Active> transferring = new ConcurrentHashMap<>();
  private final Map<RunId, Active> finishing = new ConcurrentHashMap<>();
  private final Set<RunId> stoppedByShutdown = ConcurrentHashMap.newKeySet();

  RunSlots(int maxConcurrentRuns) {
    this.maxConcurrentRuns = maxConcurrentRuns;
  }

  /** Slots free for new runs (and a thread free for each: the pool has two per slot). */
  int free() {
    int max = maxConcurrentRuns;
    return Math.min(max - transferring.size(), 2 * max - transferring.size() - finishing.size());
  }

  void take(Run run, CancellationToken token) {
    transferring.put(run.id(), new Active(run, token));
  }

  /** Frees the run's slot for the next run while this one records its outcome. */
  boolean transferEnded(RunId id) {
    Active a = transferring.get(id);
    if (a == null) {
      return false;
    }
    finishing.put(id, a);
    transferring.remove(id);
    return true;
  }

  /** The run is recorded (or could not start): it leaves this instance. */
  void release(RunId id) {
    transferring.remove(id);
    finishing.remove(id);
  }

  /** Whether a run is executing or being recorded here. */
  boolean isHere(RunId id) {
    return transferring.containsKey(id) || finishing.containsKey(id);
  }

  /** A run executing or being recorded here, or null. */
  Active find(RunId id) {
    return transferring.getOrDefault(id, finishing.get(id));
  }

  /** A run still transferring here, or null. */
  Active transferring(RunId id) {
    return transferring.get(id);
  }

  Collection<Active> transferring() {
    return transferring.values();
  }

  Collection<Active> finishing() {
    return finishing.values();
  }

  int transferringCount() {
    return transferring.size();
  }

  List<RunId> transferringIds() {
    return List.copyOf(transferring.keySet());
  }

  boolean empty() {
    return transferring.isEmpty() && finishing.isEmpty();
  }

  /** Cancels a run for a shutdown, unless it was cancelled already (by a user). */
  void stopForShutdown(RunId id, CancellationToken token) {
    if (!token.isCancelled()) {
      stoppedByShutdown.add(id);
      token.cancel();
    }
  }

  boolean stoppedByShutdown(RunId id) {
    return stoppedByShutdown.contains(id);
  }
}

package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.JobRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A job repository whose first {@code findByName} and first {@code list} see no job, as an instance
 * sees the store when it reads just before another instance's insert commits; every other call goes
 * to the real repository.
 */
final class StaleFirstReads implements JobRepository {
  private final JobRepository store;
  private final AtomicBoolean findStale = new AtomicBoolean(true);
  private final AtomicBoolean listStale = new AtomicBoolean(true);

  StaleFirstReads(JobRepository store) {
    this.store = store;
  }

  @Override
  public Optional<Job> findByName(String name) {
    return findStale.getAndSet(false) ? Optional.empty() : store.findByName(name);
  }

  @Override
  public List<Job> list() {
    return listStale.getAndSet(false) ? List.of() : store.list();
  }

  @Override
  public void create(Job job) {
    store.create(job);
  }

  @Override
  public void update(Job job) {
    store.update(job);
  }

  @Override
  public boolean delete(JobId id) {
    return store.delete(id);
  }

  @Override
  public Optional<Job> find(JobId id) {
    return store.find(id);
  }

  @Override
  public Map<JobId, Job> findAll(Collection<JobId> ids) {
    return store.findAll(ids);
  }

  @Override
  public List<Job> due(Instant now, int limit) {
    return store.due(now, limit);
  }

  @Override
  public Optional<Instant> nextDueAt() {
    return store.nextDueAt();
  }

  @Override
  public List<Fired> fireDue(Instant now, int limit, Function<Job, Firing> plan) {
    return store.fireDue(now, limit, plan);
  }
}

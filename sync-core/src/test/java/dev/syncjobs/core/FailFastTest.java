package dev.syncjobs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.testing.HttpInNameOnly;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailFastTest {
  @TempDir Path tmp;

  private static Job job(String name, String source, String backend, String path) {
    return Job.builder(
            new JobId(UUID.randomUUID()),
            name,
            Source.parse(source),
            new Destination(backend, path))
        .build();
  }

  private String localSource() throws Exception {
    return Files.createDirectories(tmp.resolve("src")).toUri().toString();
  }

  private static FieldError onlyError(Throwable e) {
    assertThat(e).isInstanceOf(ValidationException.class);
    assertThat(((ValidationException) e).errors()).hasSize(1);
    return ((ValidationException) e).errors().get(0);
  }

  @Test
  void a_source_no_registered_transfer_reads_is_refused_when_saved_naming_source_url()
      throws Exception {
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage")).adopt();
    try (SyncRuntime sync = SyncRuntime.builder().backend(backend).build()) {
      for (String source : new String[] {"http://127.0.0.1:9/isos/", "rsync://127.0.0.1/m/"}) {
        assertThatThrownBy(() -> sync.jobs().create(job("net", source, "default", "n")))
            .satisfies(
                e -> {
                  assertThat(onlyError(e).field()).isEqualTo("source_url");
                  assertThat(e).hasMessageContaining("no transfer reads");
                });
      }
      Job local = sync.jobs().create(job("local", localSource(), "default", "l"));
      assertThatThrownBy(
              () ->
                  sync.jobs()
                      .update(
                          local.toBuilder().source(Source.parse("https://127.0.0.1:9/x/")).build()))
          .satisfies(e -> assertThat(onlyError(e).field()).isEqualTo("source_url"));
      assertThat(sync.jobs().list()).extracting(Job::name).containsExactly("local");
    }
  }

  @Test
  void a_registered_transfer_makes_its_scheme_acceptable() throws Exception {
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage")).adopt();
    try (SyncRuntime sync =
        SyncRuntime.builder().backend(backend).transfer(new HttpInNameOnly()).build()) {
      Job created = sync.jobs().create(job("web", "http://127.0.0.1:9/isos/", "default", "w"));
      assertThat(sync.jobs().get(created.id()).source()).isEqualTo(created.source());
    }
  }

  @Test
  void a_backend_without_its_marker_is_refused_at_create_naming_the_backend_field()
      throws Exception {
    Path share = Files.createDirectories(tmp.resolve("share"));
    StorageBackend nas = new StorageBackend("nas", share);
    try (SyncRuntime sync = SyncRuntime.builder().backend(nas).build()) {
      assertThatThrownBy(() -> sync.jobs().create(job("mirror", localSource(), "nas", "m")))
          .satisfies(
              e -> {
                FieldError error = onlyError(e);
                assertThat(error.field()).isEqualTo("destination_backend_id");
                assertThat(error.message())
                    .contains("'nas' is offline")
                    .contains(StorageBackend.MARKER)
                    .contains("adopt");
              });
      assertThat(sync.jobs().list()).isEmpty();

      assertThat(nas.adopt()).isSameAs(nas);
      assertThat(share.resolve(StorageBackend.MARKER)).isRegularFile();
      Job job = sync.jobs().create(job("mirror", localSource(), "nas", "m"));

      // a job whose backend went offline can still be renamed or disabled
      Files.delete(share.resolve(StorageBackend.MARKER));
      Job renamed = sync.jobs().update(job.toBuilder().name("mirror-old").enabled(false).build());
      assertThat(renamed.name()).isEqualTo("mirror-old");
    }
  }

  @Test
  void moving_a_job_to_an_offline_backend_is_refused() throws Exception {
    StorageBackend own = new StorageBackend("default", tmp.resolve("storage")).adopt();
    StorageBackend missing = new StorageBackend("usb", tmp.resolve("not-mounted"));
    try (SyncRuntime sync = SyncRuntime.builder().backend(own).backend(missing).build()) {
      Job job = sync.jobs().create(job("mirror", localSource(), "default", "m"));
      assertThatThrownBy(
              () ->
                  sync.jobs()
                      .update(job.toBuilder().destination(new Destination("usb", "m")).build()))
          .satisfies(
              e -> {
                assertThat(onlyError(e).field()).isEqualTo("destination_backend_id");
                assertThat(e).hasMessageContaining("does not exist");
              });
    }
  }

  @Test
  void adopt_creates_a_missing_root_and_its_marker_and_is_idempotent() {
    Path root = tmp.resolve("a/b/mirror");
    StorageBackend backend = new StorageBackend("mirror", root);
    assertThat(backend.isOnline()).isFalse();
    assertThat(backend.offlineReason()).contains("does not exist");
    backend.adopt().adopt();
    assertThat(root.resolve(StorageBackend.MARKER)).isRegularFile();
    assertThat(backend.isOnline()).isTrue();
    assertThat(backend.offlineReason()).isNull();
  }

  @Test
  void durable_repositories_without_a_run_log_are_refused_by_build() {
    InMemoryRunRepository runs = new InMemoryRunRepository();
    // any repository that is not the core's in-memory one counts as durable
    JobRepository durable =
        (JobRepository)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {JobRepository.class},
                new ForwardingHandler(new InMemoryJobRepository(runs)));
    assertThatThrownBy(() -> SyncRuntime.builder().repositories(durable, runs).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("durable run log")
        .hasMessageContaining(".runLog(");
    try (SyncRuntime sync =
        SyncRuntime.builder().repositories(durable, runs).runLog(new InMemoryRunLog()).build()) {
      assertThat(sync.runLog()).isNotNull();
    }
    try (SyncRuntime sync =
        SyncRuntime.builder().repositories(new InMemoryJobRepository(runs), runs).build()) {
      assertThat(sync.runLog()).isNotNull();
    }
  }

  private record ForwardingHandler(Object target) implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}

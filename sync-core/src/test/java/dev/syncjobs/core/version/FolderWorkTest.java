package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.RecursiveAction;
import org.junit.jupiter.api.Test;

class FolderWorkTest {
  @Test
  void a_workers_io_failure_is_thrown_as_the_io_exception_it_was() {
    IOException failure = new AccessDeniedException("/v/locked/f");
    UncheckedIOException thrown = new UncheckedIOException(failure);

    assertThat(FolderWork.ioCause(thrown)).isSameAs(failure);
    assertThat(FolderWork.ioCause(new RuntimeException(thrown)))
        .as("the pool's copy")
        .isSameAs(failure);
    assertThat(FolderWork.ioCause(new IllegalStateException("other"))).isNull();
  }

  @Test
  void a_forked_tasks_io_failure_reaches_the_caller_as_itself() {
    IOException failure = new AccessDeniedException("/v/locked/f");
    RecursiveAction failing =
        new RecursiveAction() {
          @Override
          protected void compute() {
            invokeAll(
                new RecursiveAction() {
                  @Override
                  protected void compute() {}
                },
                new RecursiveAction() {
                  @Override
                  protected void compute() {
                    throw new UncheckedIOException(failure);
                  }
                });
          }
        };

    assertThatThrownBy(() -> FolderWork.invoke(failing)).isSameAs(failure);
  }
}

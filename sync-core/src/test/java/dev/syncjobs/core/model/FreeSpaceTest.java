package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreeSpaceTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void refuses_a_file_larger_than_the_usable_space_of_a_real_file_system(@TempDir Path dir) {
    FreeSpace.of(dir).require(1, "a.bin");
    FreeSpace.of(dir.resolve("not/yet/there")).require(1, "a.bin");
    assertThatThrownBy(() -> FreeSpace.of(dir).require(Long.MAX_VALUE, "huge.iso"))
        .isInstanceOf(DiskFullException.class)
        .hasMessageContaining("huge.iso needs " + Long.MAX_VALUE + " bytes");
  }

  @Test
  void small_files_are_granted_from_one_reading_until_half_of_it_is_used() {
    Store store = new Store(1_000);
    FreeSpace space = new FreeSpace(store, now::get);
    for (int i = 0; i < 5; i++) {
      space.require(100, "f" + i); // 500 of the 1,000 free at the reading
    }
    assertThat(store.reads).isEqualTo(1);
    space.require(300, "big"); // more than half of the 500 left: read again
    assertThat(store.reads).isEqualTo(2);
  }

  @Test
  void a_file_that_does_not_fit_in_what_is_left_is_judged_on_a_fresh_reading() {
    Store store = new Store(1_000);
    FreeSpace space = new FreeSpace(store, now::get);
    space.require(400, "a");
    store.usable = 700; // another writer freed space; what is left here by count is 600
    space.require(650, "b"); // fits only by the fresh reading
    assertThat(store.reads).isEqualTo(2);
    store.usable = 50; // then the disk filled up
    assertThatThrownBy(() -> space.require(60, "c"))
        .isInstanceOf(DiskFullException.class)
        .hasMessage("c needs 60 bytes, only 50 are free");
  }

  @Test
  void refuses_what_the_fresh_reading_has_no_room_for_and_grants_nothing_then() {
    Store store = new Store(1_000);
    FreeSpace space = new FreeSpace(store, now::get);
    assertThatThrownBy(() -> space.require(1_001, "big.iso"))
        .isInstanceOf(DiskFullException.class)
        .hasMessage("big.iso needs 1001 bytes, only 1000 are free");
    space.require(1_000, "fits.iso");
    assertThat(store.reads).isEqualTo(2);
  }

  @Test
  void a_reading_is_taken_again_after_a_second() {
    Store store = new Store(1_000_000);
    FreeSpace space = new FreeSpace(store, now::get);
    space.require(1, "a");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    space.require(1, "b");
    assertThat(store.reads).isEqualTo(1);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    store.usable = 10;
    assertThatThrownBy(() -> space.require(11, "c")).isInstanceOf(DiskFullException.class);
    assertThat(store.reads).isEqualTo(2);
  }

  @Test
  void an_unknown_file_system_or_an_empty_request_refuses_nothing() {
    new FreeSpace(null, now::get).require(Long.MAX_VALUE, "x");
    Store store = new Store(0);
    new FreeSpace(store, now::get).require(0, "empty");
    assertThat(store.reads).isZero();
  }

  /** A file system whose free space the test sets, counting how often it is read. */
  private static final class Store extends FileStore {
    long usable;
    int reads;

    Store(long usable) {
      this.usable = usable;
    }

    @Override
    public long getUsableSpace() {
      reads++;
      return usable;
    }

    @Override
    public long getTotalSpace() {
      return Long.MAX_VALUE;
    }

    @Override
    public long getUnallocatedSpace() {
      return usable;
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public String type() {
      return "test";
    }

    @Override
    public boolean isReadOnly() {
      return false;
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
      return false;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
      return false;
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
      return null;
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
      throw new UnsupportedOperationException(attribute);
    }
  }
}

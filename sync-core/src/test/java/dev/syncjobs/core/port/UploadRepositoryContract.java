package dev.syncjobs.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadProtocol;
import dev.syncjobs.core.model.UploadStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UploadRepository} must do. Subclass it per implementation and return a fresh,
 * empty store from {@link #openEmptyStore}.
 */
public abstract class UploadRepositoryContract {
  protected static final Instant T0 = Instant.parse("2026-11-23T03:00:00Z");
  private static final String HASH_A = "a".repeat(64);
  private static final String HASH_B = "b".repeat(64);

  protected UploadRepository uploads;

  protected abstract UploadRepository openEmptyStore();

  @BeforeEach
  void open() {
    uploads = openEmptyStore();
  }

  protected static Upload upload(UploadProtocol protocol, Instant expires) {
    return new Upload(
        new UploadId(UUID.randomUUID()),
        protocol,
        "default",
        "isos/ünï côdé.iso",
        12L * Upload.MIN_CHUNK_SIZE + 5,
        Upload.MIN_CHUNK_SIZE,
        "C".repeat(64),
        UploadStatus.ACTIVE,
        0,
        T0,
        expires,
        null);
  }

  @Test
  void a_created_upload_reads_back_field_for_field() {
    Upload u = upload(UploadProtocol.CHUNKS, T0.plus(Duration.ofHours(168)));
    uploads.create(u);

    assertThat(uploads.find(u.id())).contains(u);
    assertThat(uploads.find(u.id()).orElseThrow().sha256()).isEqualTo("c".repeat(64));
    assertThat(uploads.find(new UploadId(UUID.randomUUID()))).isEmpty();
    assertThat(uploads.chunks(u.id())).isEmpty();
  }

  @Test
  void a_chunk_is_recorded_once_with_its_hash_and_moves_the_expiry() {
    Upload u = upload(UploadProtocol.CHUNKS, T0.plusSeconds(60));
    uploads.create(u);
    Instant later = T0.plus(Duration.ofDays(7));

    assertThat(uploads.recordChunk(u.id(), 7, HASH_A, later)).isTrue();
    assertThat(uploads.recordChunk(u.id(), 0, HASH_B, later)).isTrue();
    assertThat(uploads.recordChunk(u.id(), 7, HASH_B, later)).isFalse();

    assertThat(uploads.chunks(u.id()))
        .containsExactly(java.util.Map.entry(0, HASH_B), java.util.Map.entry(7, HASH_A));
    assertThat(uploads.find(u.id()).orElseThrow().expiresAt()).isEqualTo(later);
  }

  @Test
  void parallel_records_of_one_chunk_succeed_exactly_once() throws Exception {
    Upload u = upload(UploadProtocol.CHUNKS, T0.plusSeconds(60));
    uploads.create(u);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Boolean> c =
            () -> {
              go.await();
              return uploads.recordChunk(u.id(), 3, HASH_A, T0.plusSeconds(120));
            };
        results.add(pool.submit(c));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) {
        wins += f.get() ? 1 : 0;
      }
      assertThat(wins).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void an_upload_that_is_no_longer_active_takes_no_chunk_and_finishes_once() {
    Upload u = upload(UploadProtocol.CHUNKS, T0.plusSeconds(60));
    uploads.create(u);

    assertThat(uploads.finish(u.id(), UploadStatus.FAILED, "sha256 does not match")).isTrue();
    assertThat(uploads.finish(u.id(), UploadStatus.COMPLETED, null)).isFalse();
    assertThat(uploads.recordChunk(u.id(), 0, HASH_A, T0)).isFalse();

    Upload stored = uploads.find(u.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(UploadStatus.FAILED);
    assertThat(stored.error()).isEqualTo("sha256 does not match");
    assertThat(uploads.chunks(u.id())).isEmpty();
  }

  @Test
  void the_tus_offset_moves_only_from_the_offset_the_caller_saw() {
    Upload u = upload(UploadProtocol.TUS, T0.plusSeconds(60));
    uploads.create(u);

    assertThat(uploads.advanceOffset(u.id(), 0, 1000, T0.plusSeconds(90))).isTrue();
    assertThat(uploads.advanceOffset(u.id(), 0, 2000, T0.plusSeconds(90))).isFalse();
    assertThat(uploads.advanceOffset(u.id(), 1000, 1500, T0.plusSeconds(95))).isTrue();

    Upload stored = uploads.find(u.id()).orElseThrow();
    assertThat(stored.offset()).isEqualTo(1500);
    assertThat(stored.expiresAt()).isEqualTo(T0.plusSeconds(95));
  }

  @Test
  void a_deleted_upload_is_gone_with_its_chunks() {
    Upload u = upload(UploadProtocol.CHUNKS, T0.plusSeconds(60));
    uploads.create(u);
    uploads.recordChunk(u.id(), 1, HASH_A, T0.plusSeconds(60));

    assertThat(uploads.delete(u.id())).isTrue();
    assertThat(uploads.delete(u.id())).isFalse();
    assertThat(uploads.find(u.id())).isEmpty();
    assertThat(uploads.chunks(u.id())).isEmpty();
    assertThat(uploads.extend(u.id(), T0)).isFalse();
  }

  @Test
  void expired_lists_uploads_of_any_status_idle_past_their_expiry() {
    Upload old = upload(UploadProtocol.CHUNKS, T0.minusSeconds(10));
    Upload done = upload(UploadProtocol.TUS, T0.minusSeconds(5));
    Upload fresh = upload(UploadProtocol.CHUNKS, T0.plusSeconds(10));
    Upload extended = upload(UploadProtocol.CHUNKS, T0.minusSeconds(1));
    uploads.create(old);
    uploads.create(done);
    uploads.create(fresh);
    uploads.create(extended);
    uploads.finish(done.id(), UploadStatus.COMPLETED, null);
    assertThat(uploads.extend(extended.id(), T0.plusSeconds(3600))).isTrue();

    assertThat(uploads.expired(T0, 100))
        .extracting(Upload::id)
        .containsExactly(old.id(), done.id());
    assertThat(uploads.expired(T0, 1)).extracting(Upload::id).containsExactly(old.id());
  }

  @Test
  void the_daily_clean_up_is_claimed_once_per_day() throws Exception {
    LocalDate day = LocalDate.of(2026, 11, 23);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        claims.add(
            pool.submit(
                () -> {
                  go.await();
                  return uploads.claimCleanup(day);
                }));
      }
      go.countDown();
      int wins = 0;
      for (Future<Boolean> f : claims) {
        wins += f.get() ? 1 : 0;
      }
      assertThat(wins).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(uploads.claimCleanup(day)).isFalse();
    assertThat(uploads.claimCleanup(day.minusDays(1))).isFalse();
    assertThat(uploads.claimCleanup(day.plusDays(1))).isTrue();
  }
}

package dev.syncjobs.core.bandwidth;

import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.throttle.Throttle;
import dev.syncjobs.core.throttle.TokenBucket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global bandwidth limits of this instance: one download bucket shared by every run, whatever
 * its transfer, and one upload bucket for every upload. Their rates follow the shared {@link
 * BandwidthSettings} and their time window: {@link #start()} re-evaluates them every second, so
 * entering or leaving the window, or a settings change read by {@link #reload()}, reaches runs
 * already going within a second. A job's own limit applies on top ({@link #downloadThrottle}).
 */
public final class GlobalBandwidth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GlobalBandwidth.class);

  /** Seconds between two reads of the stored settings when no change was announced. */
  static final int RELOAD_EVERY_TICKS = 30;

  private final SettingsRepository settings;
  private final Clock clock;
  private final ZoneId zone;
  private final TokenBucket download = new TokenBucket(null);
  private final TokenBucket upload = new TokenBucket(null);
  private volatile BandwidthSettings current = BandwidthSettings.NONE;
  private ScheduledExecutorService ticker;
  private int ticks;

  /**
   * @param settings where the settings are stored (shared by every instance of a database)
   * @param clock the wall clock the window is read from
   * @param zone the zone of the window's hours
   */
  public GlobalBandwidth(SettingsRepository settings, Clock clock, ZoneId zone) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** A fixed global download limit (null: none) with no window, for embedding and tests. */
  public static GlobalBandwidth fixed(Long downloadLimit) {
    InMemorySettingsRepository store = new InMemorySettingsRepository();
    store.saveBandwidth(new BandwidthSettings(null, downloadLimit, false, 0, 0));
    GlobalBandwidth g = new GlobalBandwidth(store, Clock.systemUTC(), java.time.ZoneOffset.UTC);
    g.reload();
    return g;
  }

  /** The settings in force on this instance. */
  public BandwidthSettings settings() {
    return current;
  }

  /**
   * Reads the stored settings again and applies them (a change announced by another instance);
   * keeps the ones in force when the store cannot be read.
   */
  public void reload() {
    try {
      apply(settings.bandwidth());
    } catch (RuntimeException e) {
      log.warn("cannot read the bandwidth settings, keeping the ones in force: {}", e.toString());
    }
  }

  /** Stores new settings for every instance and applies them here at once. */
  public BandwidthSettings replace(BandwidthSettings value) {
    settings.saveBandwidth(value);
    apply(value);
    return value;
  }

  private void apply(BandwidthSettings value) {
    current = value;
    tick();
  }

  /** Sets both buckets' rates to the limits in force now. */
  public synchronized void tick() {
    Instant now = clock.instant();
    BandwidthSettings s = current;
    setIfChanged(download, s.downloadLimitAt(now, zone));
    setIfChanged(upload, s.uploadLimitAt(now, zone));
  }

  private static void setIfChanged(TokenBucket bucket, Long rate) {
    if (!Objects.equals(bucket.rate(), rate)) {
      bucket.setRate(rate);
    }
  }

  /**
   * The throttle of one run's download: the instance's download bucket, and a bucket of the run's
   * own at {@code jobLimit} when the job has one.
   */
  public Throttle downloadThrottle(Long jobLimit) {
    return jobLimit == null
        ? new Throttle(List.of(download))
        : new Throttle(List.of(new TokenBucket(jobLimit), download));
  }

  /** The throttle of one upload: the instance's upload bucket (shared by every upload). */
  public Throttle uploadThrottle() {
    return new Throttle(List.of(upload));
  }

  /**
   * The lower of {@code jobLimit} and the global download limit in force now, null when neither
   * limits: what a transfer that cannot follow a live limit (rsync's {@code --bwlimit}) gets.
   */
  public Long downloadLimitNow(Long jobLimit) {
    Long global = download.rate();
    if (jobLimit == null) {
      return global;
    }
    return global == null ? jobLimit : Math.min(jobLimit, global);
  }

  /** Reads the settings and re-evaluates the buckets every second until closed. */
  public synchronized void start() {
    if (ticker != null) {
      return;
    }
    reload();
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "syncjobs-bandwidth");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleAtFixedRate(this::everySecond, 1, 1, TimeUnit.SECONDS);
  }

  private void everySecond() {
    try {
      if (++ticks % RELOAD_EVERY_TICKS == 0) {
        // the fallback for a change announcement that was lost
        reload();
      } else {
        tick();
      }
    } catch (RuntimeException e) {
      log.warn("bandwidth tick failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }
}

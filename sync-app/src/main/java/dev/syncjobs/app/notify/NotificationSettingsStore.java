package dev.syncjobs.app.notify;

import dev.syncjobs.core.port.SettingsRepository;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification settings of this instance, read from the shared {@link SettingsRepository} (its
 * secrets sealed with the server's key, {@link SealedSecrets}) and kept in memory: read again when
 * this instance saves them, when another instance announces a change ({@link #reload}, cluster
 * mode), and at most {@link #MAX_AGE} after the last read, so a run never waits for the database to
 * learn whether to notify.
 */
public final class NotificationSettingsStore {
  private static final Logger log = LoggerFactory.getLogger(NotificationSettingsStore.class);

  /** The longest a cached value is used without reading again (a lost announcement). */
  static final Duration MAX_AGE = Duration.ofSeconds(30);

  private final SettingsRepository repository;
  private final SealedSecrets secrets;
  private volatile NotificationSettings current;
  private volatile long readAt;

  /**
   * @param secrets seals the webhook secret and SMTP password in the stored text
   */
  public NotificationSettingsStore(SettingsRepository repository, SealedSecrets secrets) {
    this.repository = repository;
    this.secrets = secrets;
  }

  /** The settings in force (the cached value; read now when none or too old). */
  public NotificationSettings current() {
    NotificationSettings s = current;
    if (s == null || System.nanoTime() - readAt > MAX_AGE.toNanos()) {
      return reload();
    }
    return s;
  }

  /** Reads the stored settings again; keeps the previous value when the store fails. */
  public NotificationSettings reload() {
    try {
      NotificationSettings s =
          repository
              .notifications()
              .map(NotificationSettingsJson::fromStored)
              .map(stored -> secrets.apply(stored, false))
              .orElse(NotificationSettings.NONE);
      current = s;
      readAt = System.nanoTime();
      return s;
    } catch (RuntimeException e) {
      log.warn("cannot read the notification settings: {}", e.toString());
      NotificationSettings s = current;
      return s == null ? NotificationSettings.NONE : s;
    }
  }

  /** Stores {@code value} for every instance and uses it here at once. */
  public NotificationSettings save(NotificationSettings value) {
    repository.saveNotifications(NotificationSettingsJson.stored(secrets.apply(value, true)));
    current = value;
    readAt = System.nanoTime();
    return value;
  }
}

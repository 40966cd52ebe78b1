package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.notify.DeliveringNotifier;
import dev.syncjobs.app.notify.NotificationSettingsJson;
import dev.syncjobs.app.notify.NotificationSettingsStore;
import dev.syncjobs.app.notify.SealedSecrets;
import dev.syncjobs.app.web.NotificationSettingsApi;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.SettingsRepository;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Notifications: the shared settings (cached), the notifier that delivers runs' events, and their
 * API. Webhook and SMTP hosts obey the same denied networks as sources.
 */
@Module
final class NotificationModule {
  private NotificationModule() {}

  @Provides
  @Singleton
  static NotificationSettingsStore notificationSettings(
      SettingsRepository settings, @Named("secretKey") byte[] key) {
    return new NotificationSettingsStore(settings, new SealedSecrets(key));
  }

  @Provides
  @Singleton
  static DeliveringNotifier notifier(
      NotificationSettingsStore settings, RunLog runLog, ServerConfig config) {
    return DeliveringNotifier.withDefaults(settings, runLog, config.sourceDenyNetworks());
  }

  @Provides
  @Singleton
  static NotificationSettingsApi notificationSettingsApi(
      NotificationSettingsStore settings,
      DeliveringNotifier notifier,
      ServerConfig config,
      Clock clock) {
    return new NotificationSettingsApi(
        settings, new NotificationSettingsJson(config.sourceDenyNetworks()), notifier, clock);
  }
}

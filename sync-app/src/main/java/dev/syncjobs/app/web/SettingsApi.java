package dev.syncjobs.app.web;

import dev.syncjobs.core.bandwidth.GlobalBandwidth;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.port.SettingsRepository;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * Handlers of the settings every instance shares: the global bandwidth limits ({@code
 * /api/v1/sync/bandwidth/limit}). A save goes through {@link GlobalBandwidth#replace}, so this
 * instance's buckets follow at once and the other instances are told.
 */
public final class SettingsApi implements RouteGroup {
  private final SettingsRepository settings;
  private final GlobalBandwidth bandwidth;

  public SettingsApi(SettingsRepository settings, GlobalBandwidth bandwidth) {
    this.settings = settings;
    this.bandwidth = bandwidth;
  }

  @Override
  public void register(Routes r) {
    r.add(HandlerType.GET, "/api/v1/sync/bandwidth/limit", this::getBandwidth);
    r.add(HandlerType.PUT, "/api/v1/sync/bandwidth/limit", this::putBandwidth);
  }

  void getBandwidth(Context ctx) {
    JobsApi.data(ctx, 200, BandwidthJson.toJson(settings.bandwidth()), "ok");
  }

  void putBandwidth(Context ctx) {
    BandwidthSettings v = bandwidth.replace(BandwidthJson.parse(Json.object(ctx)));
    JobsApi.data(ctx, 200, BandwidthJson.toJson(v), "bandwidth settings saved");
  }
}

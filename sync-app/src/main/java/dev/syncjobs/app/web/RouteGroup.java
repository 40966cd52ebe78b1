package dev.syncjobs.app.web;

/**
 * A handler class's routes. {@link SyncServer} registers every group the component provides; a
 * route is one {@link Routes#add} (or {@link Routes#ws}) line in its group's {@link #register}, and
 * a new handler class is one more group provided by the component.
 */
public interface RouteGroup {
  void register(Routes routes);
}

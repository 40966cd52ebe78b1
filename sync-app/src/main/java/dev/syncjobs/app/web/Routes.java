package dev.syncjobs.app.web;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.websocket.WsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Registers routes with Javalin and keeps the list of them, so the routes docs/api.md documents are
 * exactly the routes served. A route is one {@link #add} (or {@link #ws}) line.
 */
final class Routes {
  private final Javalin app;
  private final AuditTrail audit;
  private final List<SyncServer.Route> list = new ArrayList<>();

  Routes(Javalin app, AuditTrail audit) {
    this.app = app;
    this.audit = audit;
  }

  /** Serves {@code handler}, its changes recorded in the audit trail. */
  void add(HandlerType method, String path, Handler handler) {
    app.addHttpHandler(method, path, audit.wrap(method, path, handler));
    list.add(new SyncServer.Route(method.name(), path));
  }

  void ws(String path, Consumer<WsConfig> ws) {
    app.ws(path, ws);
    list.add(new SyncServer.Route("WS", path));
  }

  List<SyncServer.Route> list() {
    return List.copyOf(list);
  }
}

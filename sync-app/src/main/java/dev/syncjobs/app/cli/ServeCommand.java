package dev.syncjobs.app.cli;

import dev.syncjobs.app.config.ConfigException;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.web.SyncServer;
import dev.syncjobs.app.wiring.ServerComponent;
import dev.syncjobs.core.model.SyncException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code syncjobs serve}: the REST API, WebSocket progress and web page, configured by {@code
 * SYNCJOBS_*} environment variables (or the properties file {@code SYNCJOBS_CONFIG} names). Runs
 * until SIGTERM or Ctrl-C, then stops firing, cancels active transfers, records their state and
 * exits within 10 seconds. Exit status 2 for bad configuration or a data dir in use.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the server: REST API, WebSocket progress and the web page at /.",
      "Configured by environment variables (see docs/configuration.md), e.g.",
      "  SYNCJOBS_HOST=127.0.0.1 SYNCJOBS_PORT=8080 SYNCJOBS_DATA_DIR=./data",
      "  SYNCJOBS_BACKENDS=default=/srv/mirror SYNCJOBS_ADMIN_TOKEN=…",
      "or by a properties file with the same keys named by SYNCJOBS_CONFIG.",
      "Without SYNCJOBS_ADMIN_TOKEN the admin token is generated once into <data>/admin.token."
    })
public final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Jetty, Javalin, the pool and Flyway log their start-up at INFO; the server says what matters.
   */
  static void quietLibraryLogs() {
    for (String name :
        new String[] {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb"}) {
      String key = "org.slf4j.simpleLogger.log." + name;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    quietLibraryLogs();
    SyncServer.preloadInBackground();
    PrintWriter err = spec.commandLine().getErr();
    SyncServer server;
    try {
      ServerConfig config = ServerConfig.fromEnvironment();
      server = ServerComponent.server(config).start();
    } catch (ConfigException e) {
      for (String p : e.problems()) {
        err.println("syncjobs serve: " + p);
      }
      err.flush();
      return 2;
    } catch (SyncException e) {
      err.println("syncjobs serve: " + e.getMessage());
      err.flush();
      return 2;
    } catch (RuntimeException e) {
      err.println("syncjobs serve: cannot start: " + e);
      err.flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "syncjobs-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "syncjobs: serving http://"
            + server.config().host()
            + ":"
            + server.port()
            + "/ (data dir "
            + server.config().dataDir()
            + ")");
    if (server.config().adminToken() == null) {
      out.println(
          "syncjobs: the admin token is in " + server.config().dataDir().resolve("admin.token"));
    }
    out.flush();
    stopped.await();
    return 0;
  }
}

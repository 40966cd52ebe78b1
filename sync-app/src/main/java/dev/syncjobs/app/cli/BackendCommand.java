package dev.syncjobs.app.cli;

import dev.syncjobs.app.config.ConfigException;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.version.StorageBackends;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code syncjobs backend …}: storage backend chores. */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    description = "Storage backend chores.",
    subcommands = {BackendCommand.Init.class, CommandLine.HelpCommand.class})
public final class BackendCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code syncjobs backend init NAME}: adopts the existing root directory of backend NAME (from
   * SYNCJOBS_BACKENDS, or --root) by writing its marker file, so the server shows it online.
   */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Adopt the existing root of backend NAME by writing its "
            + StorageBackend.MARKER
            + " marker.",
        "The root comes from SYNCJOBS_BACKENDS (name=/path,…) or --root. The directory must exist:",
        "an unmounted share stays offline instead of filling the disk under its mount point."
      })
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Backend name, as in SYNCJOBS_BACKENDS.")
    String name;

    @Option(names = "--root", description = "The backend's root (instead of SYNCJOBS_BACKENDS).")
    Path root;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        Path dir = root;
        if (dir == null) {
          ServerConfig config = ServerConfig.fromEnvironment();
          dir =
              config.backends().stream()
                  .filter(b -> b.name().equals(name))
                  .map(ServerConfig.Backend::root)
                  .findFirst()
                  .orElse(null);
          if (dir == null) {
            err.println(
                "syncjobs backend init: no backend named '"
                    + name
                    + "' in SYNCJOBS_BACKENDS (configured: "
                    + String.join(
                        ", ", config.backends().stream().map(ServerConfig.Backend::name).toList())
                    + "); or give --root");
            return 2;
          }
        }
        StorageBackend backend = new StorageBackend(name, dir);
        StorageBackends.adopt(backend.root());
        out.println(
            "backend '"
                + name
                + "' adopted: "
                + backend.root().resolve(StorageBackend.MARKER)
                + (backend.isOnline() ? " (online)" : " (written, but the root is not writable)"));
        return 0;
      } catch (ConfigException e) {
        e.problems().forEach(p -> err.println("syncjobs backend init: " + p));
        return 2;
      } catch (SyncException e) {
        err.println("syncjobs backend init: " + e.getMessage());
        return 2;
      }
    }
  }
}

package dev.syncjobs.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code syncjobs} command; its subcommands do the work. */
@Command(
    name = "syncjobs",
    mixinStandardHelpOptions = true,
    version = "syncjobs 0.1.0",
    description = "Mirror files into complete, immutable versions.",
    subcommands = {
      OnceCommand.class,
      ServeCommand.class,
      BackendCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SyncjobsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The command line with syncjobs's error handling. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new SyncjobsCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }
}

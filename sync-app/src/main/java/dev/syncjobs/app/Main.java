package dev.syncjobs.app;

import dev.syncjobs.app.cli.SyncjobsCommand;

/** Entry point of the runnable jar and the {@code ./syncjobs} launcher. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(SyncjobsCommand.commandLine().execute(args));
  }
}

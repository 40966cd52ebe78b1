package dev.syncjobs.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OnceCommandTest {
  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = SyncjobsCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void once_mirrors_a_folder_into_a_version_and_a_second_run_changes_nothing() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/sub"));
    Files.writeString(src.resolve("a.iso"), "iso");
    Files.writeString(src.resolve("b.tmp"), "tmp");
    Path dest = tmp.resolve("mirror");

    Result first =
        run("once", "--exclude", "*.tmp", tmp.resolve("src").toUri().toString(), dest.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("1 of 1 files");
    assertThat(dest.resolve("current/sub/a.iso")).hasContent("iso");
    assertThat(dest.resolve("current/sub/b.tmp")).doesNotExist();

    Result second =
        run("once", "--exclude", "*.tmp", tmp.resolve("src").toUri().toString(), dest.toString());
    assertThat(second.exit()).isZero();
    assertThat(second.out()).contains("nothing changed");
    try (var names = Files.list(dest)) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .as("current, one version and the records beside it")
          .hasSize(3)
          .contains("current", ".syncjobs");
    }
  }

  @Test
  void bad_arguments_exit_2_naming_the_problem() {
    Result r = run("once", "ftp://example/x", tmp.resolve("d").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("source_url").contains("scheme");

    Result missingParent =
        run("once", tmp.toUri().toString(), tmp.resolve("no/such/parent/dest").toString());
    assertThat(missingParent.exit()).isEqualTo(2);
    assertThat(missingParent.err()).contains("parent directory must exist");

    Result badOption = run("once", "--keep-versions", "11", tmp.toUri().toString(), "x");
    assertThat(badOption.exit()).isEqualTo(2);
    assertThat(badOption.err()).contains("keep_versions");
  }

  @Test
  void a_missing_source_fails_the_run_with_exit_1() {
    Result r = run("once", "file:///no/such/source", tmp.resolve("d").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("does not exist");
    assertThat(tmp.resolve("d/current")).doesNotExist();
  }

  @Test
  void help_lists_the_commands_and_options() {
    Result top = run("--help");
    assertThat(top.exit()).isZero();
    assertThat(top.out()).contains("once").contains("serve").contains("backend");
    Result once = run("once", "--help");
    assertThat(once.out()).contains("--keep-versions").contains("--no-delete-removed");
    Result helpOnce = run("help", "once");
    assertThat(helpOnce.exit()).isZero();
    assertThat(helpOnce.out()).contains("--keep-versions");
    Result backendHelp = run("backend", "help", "init");
    assertThat(backendHelp.exit()).isZero();
    assertThat(backendHelp.out()).contains("init");
    Result unknown = run("onse");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("onse").contains("once");
  }
}

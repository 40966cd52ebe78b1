package dev.syncjobs.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's embedding example exactly as written there. */
class ReadmeExampleTest {
  @TempDir Path tmp;

  static String exampleFromReadme() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```java\n");
    assertThat(start).as("README has a java block").isNotNegative();
    int end = readme.indexOf("```", start + 8);
    return readme.substring(start + 8, end);
  }

  @Test
  void readme_example_compiles_and_mirrors_a_folder() throws Exception {
    String source = exampleFromReadme();
    assertThat(source.lines().count()).isLessThanOrEqualTo(25);
    Path src = tmp.resolve("src/MirrorExample.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc =
        javac.run(
            null,
            diagnostics,
            diagnostics,
            "-d",
            classes.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            src.toString());
    assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("guide.txt"), "hello");
    Path storage = tmp.resolve("storage");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("MirrorExample").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {data.toString(), storage.toString()});
    } finally {
      System.setOut(old);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("SUCCESS");
    assertThat(storage.resolve("docs/current/guide.txt")).hasContent("hello");
    assertThat(List.of(storage.resolve("docs").toFile().list()))
        .hasSize(3)
        .contains("current", ".syncjobs");
  }
}

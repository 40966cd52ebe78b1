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
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A java block of the documentation, compiled against the test class path and run as the reader
 * would run it.
 */
final class JavaSnippet {
  private JavaSnippet() {}

  /** The first {@code ```java} block after {@code heading} in {@code doc} (the whole file: "") */
  static String from(Path doc, String heading) throws Exception {
    String text = Files.readString(doc);
    int at = heading.isEmpty() ? 0 : text.indexOf(heading);
    assertThat(at).as(doc + " has the heading " + heading).isNotNegative();
    int start = text.indexOf("```java\n", at);
    assertThat(start).as(doc + " has a java block after " + heading).isNotNegative();
    int end = text.indexOf("```", start + 8);
    return text.substring(start + 8, end);
  }

  /**
   * Compiles {@code source} as class {@code className} in {@code work}, runs its main, and returns
   * what it printed.
   */
  static String run(String source, String className, Path work, String... args) throws Exception {
    Path src = work.resolve("src/" + className + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve("classes"));
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, JavaSnippet.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) args);
    } finally {
      System.setOut(old);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}

package dev.syncjobs.app.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The API's description: {@code GET /api/v1/openapi.json} (OpenAPI 3, written by hand beside this
 * class; {@code OpenApiTest} fails when it and the server's routes differ) and Swagger UI at {@code
 * /api/docs}, from the swagger-ui WebJar the server serves under {@code /webjars/}. The document is
 * an {@code /api/v1} path and takes a token like every other; the Swagger UI page is a static page
 * that asks for the token (or takes the web page's, kept in the tab) and sends it with every
 * request it makes.
 */
public final class OpenApiDocs implements RouteGroup {
  static final String SPEC_PATH = "/api/v1/openapi.json";
  static final String UI_PATH = "/api/docs";

  // Swagger UI styles its elements inline and draws its icons from data: URIs.
  private static final String UI_POLICY =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'";

  private final String spec;
  private final String page;

  public OpenApiDocs() {
    this.spec = resource("openapi.json");
    this.page = resource("api-docs.html").replace("{swagger-ui}", swaggerUiBase());
  }

  @Override
  public void register(Routes routes) {
    routes.add(HandlerType.GET, SPEC_PATH, this::spec);
    routes.add(HandlerType.GET, UI_PATH, this::page);
  }

  void spec(Context ctx) {
    ctx.status(200).contentType("application/json").result(spec);
  }

  void page(Context ctx) {
    ctx.header("Content-Security-Policy", UI_POLICY);
    ctx.status(200).contentType("text/html; charset=utf-8").result(page);
  }

  /** Where the WebJar's files are served: its folder carries its version, read from the jar. */
  private static String swaggerUiBase() {
    String props = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    try (InputStream in = OpenApiDocs.class.getResourceAsStream(props)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui WebJar is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return "/webjars/swagger-ui/" + p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = OpenApiDocs.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

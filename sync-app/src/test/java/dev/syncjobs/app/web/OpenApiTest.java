package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/openapi.json} is a valid OpenAPI 3 document that describes exactly the server's
 * routes (a WebSocket as the GET that upgrades it), each with the errors it can answer.
 */
class OpenApiTest {
  @TempDir static Path tmp;
  static TestServer s;
  static OpenAPI api;

  @BeforeAll
  static void start() {
    s = new TestServer(tmp);
    assertThat(s.send("GET", OpenApiDocs.SPEC_PATH, null, null, null).status())
        .as("an /api/v1 path: a token is needed")
        .isEqualTo(401);
    TestServer.Response r = s.send("GET", OpenApiDocs.SPEC_PATH, TestServer.VIEWER, null, null);
    assertThat(r.status()).as("readable with the viewer token").isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body(), null, options);
    assertThat(parsed.getMessages()).isEmpty();
    api = parsed.getOpenAPI();
    assertThat(api).isNotNull();
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static Set<SyncServer.Route> described() {
    Set<SyncServer.Route> out = new HashSet<>();
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .keySet()
                    .forEach(m -> out.add(new SyncServer.Route(m.name(), path))));
    return out;
  }

  @Test
  void describes_every_route_the_server_serves_and_no_other() {
    Set<SyncServer.Route> served = new HashSet<>();
    for (SyncServer.Route r : s.server.routes()) {
      served.add(r.method().equals("WS") ? new SyncServer.Route("GET", r.path()) : r);
    }
    assertThat(described()).containsExactlyInAnyOrderElementsOf(served);
  }

  @Test
  void every_operation_names_its_errors_and_who_may_call_it() {
    Set<String> open = Set.of("/health", OpenApiDocs.UI_PATH);
    for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
      String path = e.getKey();
      for (Map.Entry<PathItem.HttpMethod, Operation> o :
          e.getValue().readOperationsMap().entrySet()) {
        String name = o.getKey() + " " + path;
        Operation op = o.getValue();
        Set<String> codes = op.getResponses().keySet();
        assertThat(op.getOperationId()).as(name).isNotBlank();
        assertThat(codes).as(name).anyMatch(c -> c.startsWith("2") || c.equals("101"));
        if (open.contains(path)) {
          assertThat(op.getSecurity()).as(name + " needs no token").isEmpty();
          continue;
        }
        assertThat(op.getSecurity()).as(name).isNull();
        assertThat(codes).as(name).contains("401");
        boolean changes =
            !(o.getKey() == PathItem.HttpMethod.GET || o.getKey() == PathItem.HttpMethod.HEAD);
        if (changes) {
          assertThat(codes).as(name + " refuses a viewer").contains("403");
        }
        if (op.getRequestBody() != null
            && op.getRequestBody().getContent().containsKey("application/json")) {
          assertThat(codes).as(name).contains("400", "413", "415");
        }
        if (path.contains("{") && o.getKey() != PathItem.HttpMethod.OPTIONS) {
          assertThat(codes).as(name + " has an id to miss").contains("404");
        }
      }
    }
    assertThat(api.getComponents().getSecuritySchemes()).containsKey("bearer");
    assertThat(api.getSecurity()).isNotEmpty();
  }

  @Test
  void swagger_ui_is_served_without_a_token_from_the_webjar() {
    TestServer.Response page = s.send("GET", OpenApiDocs.UI_PATH, null, null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    String script =
        page.body().replaceAll("(?s).*<script src=\"([^\"]*swagger-ui-bundle\\.js)\".*", "$1");
    assertThat(script).startsWith("/webjars/swagger-ui/");
    assertThat(s.send("GET", script, null, null, null).status()).isEqualTo(200);
    assertThat(s.send("GET", "/api-docs.js", null, null, null).status()).isEqualTo(200);
  }
}

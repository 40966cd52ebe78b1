package dev.syncjobs.app.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answers to requests it refuses before any route sees them (a malformed request line, a
 * URI or header too long, an ambiguous path such as {@code %00}) as problem+json, like every other
 * error of the API, instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {

  ProblemErrorHandler() {
    setShowStacks(false);
    setShowServlet(false);
  }

  /** Errors the connection raises while it parses the request, before there is a request. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
  }

  /** Every method gets the same answer, not only GET, POST and HEAD. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  /** Errors of a parsed request that a handler outside Javalin's routes refused. */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    response.setContentType(Problems.CONTENT_TYPE);
    response.setHeader("Cache-Control", "no-store");
    byte[] body = body(code, message).getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  static String body(int status, String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "about:blank");
    m.put("title", Problems.title(status));
    m.put("status", status);
    m.put("detail", reason == null || reason.isBlank() ? Problems.title(status) : reason);
    m.put("errors", List.of());
    return Json.write(m);
  }
}

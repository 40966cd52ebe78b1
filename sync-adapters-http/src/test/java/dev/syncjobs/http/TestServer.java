package dev.syncjobs.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 server on a free loopback port, written on raw sockets so tests can inject
 * faults a real server would not produce on purpose: resets in the middle of a body, stalls, wrong
 * Content-Length, ignored Range headers, 503 and 429 answers. Serves files with Range/If-Range,
 * ETag and Last-Modified, captured index pages, and nginx-style index pages for other folders.
 */
final class TestServer implements AutoCloseable {
  static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter NGINX_DATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** A file served at a decoded path. */
  record Content(byte[] data, Instant mtime) {
    String etag() {
      return "\"" + Long.toHexString(mtime.getEpochSecond()) + "-" + data.length + "\"";
    }
  }

  /** A one-off misbehaviour for the next request of a path. */
  sealed interface Fault {}

  /** Send this many body bytes, then reset the connection. */
  record ResetAfter(long bytes) implements Fault {}

  /** Send this many body bytes, then close the connection cleanly (FIN, nothing lost). */
  record CloseAfter(long bytes) implements Fault {}

  /** Send this many body bytes, then stop sending (until the server closes). */
  record StallAfter(long bytes) implements Fault {}

  /** Answer with this status and headers. */
  record Status(int code, Map<String, String> headers) implements Fault {}

  /** A request as received. */
  record Request(String method, String rawPath, Map<String, String> headers) {}

  private final ServerSocket socket;
  private final Map<String, Content> files = new ConcurrentHashMap<>();
  private final Map<String, String> pages = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Fault>> faults = new ConcurrentHashMap<>();
  private final Map<String, Long> wrongLength = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> servedByPath = new ConcurrentHashMap<>();
  private final AtomicLong served = new AtomicLong();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean ignoreRange;
  private volatile long bytesPerSecondPerConnection;
  private volatile String requiredAuthorization;
  private final Thread acceptor;

  private final String scheme;

  private TestServer(javax.net.ssl.SSLContext tls) throws IOException {
    scheme = tls == null ? "http" : "https";
    socket =
        tls == null
            ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
            : tls.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "test-http-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static TestServer start() throws IOException {
    return new TestServer(null);
  }

  /** An https server presenting the key in {@code tls}. */
  static TestServer startTls(javax.net.ssl.SSLContext tls) throws IOException {
    return new TestServer(tls);
  }

  int port() {
    return socket.getLocalPort();
  }

  URI uri(String rawPath) {
    return URI.create(scheme + "://127.0.0.1:" + port() + rawPath);
  }

  URI uriWithHost(String host, String rawPath) {
    return URI.create(scheme + "://" + host + ":" + port() + rawPath);
  }

  TestServer file(String path, byte[] data, Instant mtime) {
    files.put(path, new Content(data, mtime));
    return this;
  }

  TestServer file(String path, String text, Instant mtime) {
    return file(path, text.getBytes(StandardCharsets.UTF_8), mtime);
  }

  void remove(String path) {
    files.remove(path);
  }

  Content content(String path) {
    return files.get(path);
  }

  /** Serves {@code html} at the folder path (decoded, ending in '/'). */
  TestServer page(String path, String html) {
    pages.put(path, html);
    return this;
  }

  TestServer redirect(String path, String location) {
    redirects.put(path, location);
    return this;
  }

  TestServer fault(String path, Fault... next) {
    faults.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
    return this;
  }

  void clearFaults() {
    faults.clear();
  }

  /** Always announce {@code extra} more bytes than the file has, then close. */
  TestServer wrongContentLength(String path, long extra) {
    wrongLength.put(path, extra);
    return this;
  }

  TestServer ignoreRange(boolean ignore) {
    this.ignoreRange = ignore;
    return this;
  }

  TestServer slow(long bytesPerSecondPerConnection) {
    this.bytesPerSecondPerConnection = bytesPerSecondPerConnection;
    return this;
  }

  TestServer requireAuthorization(String value) {
    this.requiredAuthorization = value;
    return this;
  }

  long bytesServed() {
    return served.get();
  }

  long bytesServed(String path) {
    AtomicLong a = servedByPath.get(path);
    return a == null ? 0 : a.get();
  }

  void resetCounters() {
    served.set(0);
    servedByPath.clear();
    requests.clear();
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    socket.close();
    synchronized (open) {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // already gone
        }
      }
    }
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "test-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        Request req = readRequest(in);
        if (req == null) {
          return;
        }
        requests.add(req);
        if (!respond(s, req, out)) {
          return;
        }
        out.flush();
        if ("close".equalsIgnoreCase(req.headers().get("connection"))) {
          return;
        }
      }
    } catch (IOException e) {
      // client went away
    } finally {
      open.remove(s);
    }
  }

  private static Request readRequest(InputStream in) throws IOException {
    String line = readLine(in);
    while (line != null && line.isEmpty()) {
      line = readLine(in);
    }
    if (line == null) {
      return null;
    }
    String[] parts = line.split(" ");
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while ((h = readLine(in)) != null && !h.isEmpty()) {
      int c = h.indexOf(':');
      if (c > 0) {
        headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
      }
    }
    return new Request(parts[0], parts[1], headers);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      return null;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Writes a response; false when the connection must end. */
  private boolean respond(Socket s, Request req, OutputStream out) throws IOException {
    String raw = req.rawPath();
    if (raw.contains("?")) {
      raw = raw.substring(0, raw.indexOf('?'));
    }
    String path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (requiredAuthorization != null
        && !requiredAuthorization.equals(req.headers().get("authorization"))) {
      head(out, 401, "Unauthorized", Map.of("Content-Length", "0"));
      return true;
    }
    ConcurrentLinkedQueue<Fault> queue = faults.get(path);
    Fault fault = queue == null ? null : queue.poll();
    if (fault instanceof Status st) {
      Map<String, String> h = new LinkedHashMap<>(st.headers());
      h.put("Content-Length", "0");
      head(out, st.code(), "Fault", h);
      return true;
    }
    if (redirects.containsKey(path)) {
      head(out, 301, "Moved", Map.of("Location", redirects.get(path), "Content-Length", "0"));
      return true;
    }
    Content file = files.get(path);
    if (file != null) {
      return sendFile(s, req, out, path, file, fault);
    }
    if (path.endsWith("/") && (pages.containsKey(path) || isDirectory(path))) {
      byte[] html =
          (pages.containsKey(path) ? pages.get(path) : autoIndex(path))
              .getBytes(StandardCharsets.UTF_8);
      head(
          out,
          200,
          "OK",
          Map.of("Content-Type", "text/html; charset=utf-8", "Content-Length", "" + html.length));
      if (!req.method().equals("HEAD")) {
        out.write(html);
      }
      return true;
    }
    if (!path.endsWith("/") && (pages.containsKey(path + "/") || isDirectory(path + "/"))) {
      head(out, 301, "Moved", Map.of("Location", raw + "/", "Content-Length", "0"));
      return true;
    }
    byte[] body = "not found".getBytes(StandardCharsets.UTF_8);
    head(out, 404, "Not Found", Map.of("Content-Length", "" + body.length));
    if (!req.method().equals("HEAD")) {
      out.write(body);
    }
    return true;
  }

  private boolean isDirectory(String dir) {
    return files.keySet().stream().anyMatch(p -> p.startsWith(dir))
        || pages.keySet().stream().anyMatch(p -> p.startsWith(dir) && !p.equals(dir));
  }

  private boolean sendFile(
      Socket s, Request req, OutputStream out, String path, Content file, Fault fault)
      throws IOException {
    long len = file.data().length;
    long from = 0;
    long to = len - 1;
    boolean partial = false;
    String range = req.headers().get("range");
    String ifRange = req.headers().get("if-range");
    String lastModified = HTTP_DATE.format(file.mtime());
    boolean rangeValid =
        ifRange == null || ifRange.equals(file.etag()) || ifRange.equals(lastModified);
    if (range != null && range.startsWith("bytes=") && !ignoreRange && rangeValid) {
      String spec = range.substring(6);
      int dash = spec.indexOf('-');
      from = Long.parseLong(spec.substring(0, dash));
      String end = spec.substring(dash + 1);
      to = end.isEmpty() ? len - 1 : Math.min(len - 1, Long.parseLong(end));
      if (from >= len) {
        head(
            out,
            416,
            "Range Not Satisfiable",
            Map.of("Content-Range", "bytes */" + len, "Content-Length", "0"));
        return true;
      }
      partial = true;
    }
    long count = to - from + 1;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Last-Modified", lastModified);
    h.put("ETag", file.etag());
    h.put("Accept-Ranges", ignoreRange ? "none" : "bytes");
    Long extra = wrongLength.get(path);
    h.put("Content-Length", "" + (count + (extra == null ? 0 : extra)));
    if (partial) {
      h.put("Content-Range", "bytes " + from + "-" + to + "/" + len);
    }
    head(out, partial ? 206 : 200, partial ? "Partial Content" : "OK", h);
    if (req.method().equals("HEAD")) {
      return true;
    }
    long limit = count;
    if (fault instanceof ResetAfter r) {
      limit = Math.min(limit, r.bytes());
    } else if (fault instanceof CloseAfter c) {
      limit = Math.min(limit, c.bytes());
    } else if (fault instanceof StallAfter st) {
      limit = Math.min(limit, st.bytes());
    }
    long sent = 0;
    long started = System.nanoTime();
    int chunk = 16 * 1024;
    while (sent < limit) {
      int n = (int) Math.min(chunk, limit - sent);
      out.write(file.data(), (int) (from + sent), n);
      sent += n;
      served.addAndGet(n);
      servedByPath.computeIfAbsent(path, k -> new AtomicLong()).addAndGet(n);
      long rate = bytesPerSecondPerConnection;
      if (rate > 0) {
        out.flush();
        long due = started + sent * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
      }
    }
    out.flush();
    if (fault instanceof ResetAfter) {
      s.setSoLinger(true, 0);
      s.close();
      return false;
    }
    if (fault instanceof CloseAfter) {
      s.shutdownOutput();
      return false;
    }
    if (fault instanceof StallAfter) {
      try {
        closed.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
    return extra == null;
  }

  private static void head(OutputStream out, int code, String reason, Map<String, String> headers)
      throws IOException {
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason);
    sb.append("\r\nServer: syncjobs-test\r\nDate: ").append(HTTP_DATE.format(Instant.now()));
    headers.forEach((k, v) -> sb.append("\r\n").append(k).append(": ").append(v));
    sb.append("\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** An nginx autoindex page for a folder, from the files below it. */
  private String autoIndex(String dir) {
    Map<String, Content> children = new TreeMap<>();
    java.util.Set<String> dirs = new java.util.TreeSet<>();
    for (var e : files.entrySet()) {
      String p = e.getKey();
      if (!p.startsWith(dir)) {
        continue;
      }
      String rest = p.substring(dir.length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        dirs.add(rest.substring(0, slash));
      } else {
        children.put(rest, e.getValue());
      }
    }
    StringBuilder sb = new StringBuilder("<html>\n<head><title>Index of ");
    sb.append(escape(dir)).append("</title></head>\n<body>\n<h1>Index of ").append(escape(dir));
    sb.append("</h1><hr><pre><a href=\"../\">../</a>\n");
    for (String d : dirs) {
      sb.append("<a href=\"").append(UriText.encodeSegment(d)).append("/\">");
      sb.append(escape(d)).append("/</a>              01-Jan-2026 00:00       -\n");
    }
    for (var e : children.entrySet()) {
      sb.append("<a href=\"").append(UriText.encodeSegment(e.getKey())).append("\">");
      sb.append(escape(e.getKey())).append("</a>              ");
      sb.append(NGINX_DATE.format(e.getValue().mtime())).append("       ");
      sb.append(e.getValue().data().length).append('\n');
    }
    sb.append("</pre><hr></body>\n</html>\n");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

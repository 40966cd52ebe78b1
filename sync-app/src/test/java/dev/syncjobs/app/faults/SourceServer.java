package dev.syncjobs.app.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source of the fault suite: an HTTP/1.1 server on a free loopback port, on raw sockets so it
 * can misbehave on purpose (reset or stall in the middle of a body, announce a wrong
 * Content-Length). Serves in-memory files with Range/If-Range, ETag and Last-Modified, nginx-style
 * index pages for folders, optionally throttled per connection, and counts the body bytes it sends.
 */
final class SourceServer implements AutoCloseable {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter INDEX_DATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** A file's bytes and modification time. */
  record Content(byte[] data, Instant mtime) {
    String etag() {
      return "\"" + Long.toHexString(mtime.getEpochSecond()) + "-" + data.length + "\"";
    }
  }

  /** A one-off misbehaviour for the next GET of a path. */
  sealed interface Fault {}

  /** Send this many body bytes, then reset the connection (RST). */
  record ResetAfter(long bytes) implements Fault {}

  /** Send this many body bytes, then send nothing more until the server closes. */
  record StallAfter(long bytes) implements Fault {}

  private final ServerSocket socket;
  private final Map<String, Content> files = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Fault>> faults = new ConcurrentHashMap<>();
  private final Map<String, Long> wrongLength = new ConcurrentHashMap<>();
  private final AtomicLong served = new AtomicLong();
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile long bytesPerSecondPerConnection;

  SourceServer() throws IOException {
    socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "source-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URL of a folder (ending in '/') or file on this server. */
  String url(String path) {
    return "http://127.0.0.1:" + socket.getLocalPort() + path;
  }

  void put(String path, byte[] data, Instant mtime) {
    files.put(path, new Content(data, mtime));
  }

  void remove(String path) {
    files.remove(path);
  }

  /** The files below {@code folder} (ending in '/'), by path relative to it, with their SHA-256. */
  Map<String, String> tree(String folder) {
    Map<String, String> out = new TreeMap<>();
    files.forEach(
        (p, c) -> {
          if (p.startsWith(folder)) {
            out.put(p.substring(folder.length()), sha256(c.data()));
          }
        });
    return out;
  }

  /** Queues faults for the next GETs of {@code path}, one per request. */
  void fault(String path, Fault... next) {
    faults.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
  }

  /**
   * Every answer for {@code path} announces {@code extra} bytes more than the file has. A positive
   * {@code extra}: the whole file is sent, then the connection closes (the body ends early). A
   * negative one: the body is as long as announced, a well-formed answer cut short.
   */
  void wrongContentLength(String path, long extra) {
    wrongLength.put(path, extra);
  }

  void throttle(long bytesPerSecond) {
    this.bytesPerSecondPerConnection = bytesPerSecond;
  }

  long bytesServed() {
    return served.get();
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
        Thread t = new Thread(() -> serve(s), "source-conn");
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
        String[] line = requestLine(in);
        if (line == null) {
          return;
        }
        Map<String, String> headers = headers(in);
        if (!respond(s, line[0], line[1], headers, out)) {
          return;
        }
        out.flush();
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      open.remove(s);
    }
  }

  private static String[] requestLine(InputStream in) throws IOException {
    String line = readLine(in);
    while (line != null && line.isEmpty()) {
      line = readLine(in);
    }
    return line == null ? null : line.split(" ");
  }

  private static Map<String, String> headers(InputStream in) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    String h;
    while ((h = readLine(in)) != null && !h.isEmpty()) {
      int c = h.indexOf(':');
      if (c > 0) {
        headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
      }
    }
    return headers;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Writes a response; false when the connection must end. */
  private boolean respond(
      Socket s, String method, String rawPath, Map<String, String> headers, OutputStream out)
      throws IOException {
    String raw = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
    String path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    Content file = files.get(path);
    if (file != null) {
      Fault fault = null;
      if (method.equals("GET")) {
        ConcurrentLinkedQueue<Fault> queue = faults.get(path);
        fault = queue == null ? null : queue.poll();
      }
      return sendFile(s, method, headers, out, path, file, fault);
    }
    if (path.endsWith("/") && isFolder(path)) {
      byte[] html = index(path).getBytes(StandardCharsets.UTF_8);
      head(
          out,
          200,
          "OK",
          Map.of("Content-Type", "text/html; charset=utf-8", "Content-Length", "" + html.length));
      if (!method.equals("HEAD")) {
        out.write(html);
      }
      return true;
    }
    if (!path.endsWith("/") && isFolder(path + "/")) {
      head(out, 301, "Moved", Map.of("Location", raw + "/", "Content-Length", "0"));
      return true;
    }
    byte[] body = "not found".getBytes(StandardCharsets.UTF_8);
    head(out, 404, "Not Found", Map.of("Content-Length", "" + body.length));
    if (!method.equals("HEAD")) {
      out.write(body);
    }
    return true;
  }

  private boolean isFolder(String dir) {
    return files.keySet().stream().anyMatch(p -> p.startsWith(dir));
  }

  private boolean sendFile(
      Socket s,
      String method,
      Map<String, String> headers,
      OutputStream out,
      String path,
      Content file,
      Fault fault)
      throws IOException {
    long len = file.data().length;
    long from = 0;
    long to = len - 1;
    boolean partial = false;
    String range = headers.get("range");
    String ifRange = headers.get("if-range");
    String lastModified = HTTP_DATE.format(file.mtime());
    boolean rangeValid =
        ifRange == null || ifRange.equals(file.etag()) || ifRange.equals(lastModified);
    if (range != null && range.startsWith("bytes=") && rangeValid) {
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
    Long extra = wrongLength.get(path);
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Last-Modified", lastModified);
    h.put("ETag", file.etag());
    h.put("Accept-Ranges", "bytes");
    h.put("Content-Length", "" + (count + (extra == null ? 0 : extra)));
    if (partial) {
      h.put("Content-Range", "bytes " + from + "-" + to + "/" + len);
    }
    head(out, partial ? 206 : 200, partial ? "Partial Content" : "OK", h);
    if (method.equals("HEAD")) {
      return true;
    }
    long limit = extra != null && extra < 0 ? Math.max(0, count + extra) : count;
    if (fault instanceof ResetAfter r) {
      limit = Math.min(limit, r.bytes());
    } else if (fault instanceof StallAfter st) {
      limit = Math.min(limit, st.bytes());
    }
    if (!write(out, file.data(), from, limit)) {
      return false;
    }
    if (fault instanceof ResetAfter) {
      s.setSoLinger(true, 0);
      s.close();
      return false;
    }
    if (fault instanceof StallAfter) {
      try {
        closed.await(10, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
    return extra == null || extra < 0;
  }

  /** Sends {@code count} bytes from {@code from}, at the throttle's pace; false if interrupted. */
  private boolean write(OutputStream out, byte[] data, long from, long count) throws IOException {
    long sent = 0;
    long started = System.nanoTime();
    while (sent < count) {
      int n = (int) Math.min(16 * 1024, count - sent);
      out.write(data, (int) (from + sent), n);
      sent += n;
      served.addAndGet(n);
      long rate = bytesPerSecondPerConnection;
      if (rate > 0) {
        out.flush();
        long wait = started + sent * 1_000_000_000L / rate - System.nanoTime();
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
    return true;
  }

  private static void head(OutputStream out, int code, String reason, Map<String, String> headers)
      throws IOException {
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason);
    sb.append("\r\nServer: syncjobs-faults\r\nDate: ").append(HTTP_DATE.format(Instant.now()));
    headers.forEach((k, v) -> sb.append("\r\n").append(k).append(": ").append(v));
    sb.append("\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** An nginx autoindex page of a folder. Test names are plain ASCII, so no escaping is needed. */
  private String index(String dir) {
    Map<String, Content> children = new TreeMap<>();
    TreeSet<String> dirs = new TreeSet<>();
    files.forEach(
        (p, c) -> {
          if (p.startsWith(dir)) {
            String rest = p.substring(dir.length());
            int slash = rest.indexOf('/');
            if (slash >= 0) {
              dirs.add(rest.substring(0, slash));
            } else {
              children.put(rest, c);
            }
          }
        });
    StringBuilder sb = new StringBuilder("<html>\n<head><title>Index of ").append(dir);
    sb.append("</title></head>\n<body>\n<h1>Index of ").append(dir);
    sb.append("</h1><hr><pre><a href=\"../\">../</a>\n");
    for (String d : dirs) {
      sb.append("<a href=\"").append(d).append("/\">").append(d);
      sb.append("/</a>              01-Jan-2026 00:00       -\n");
    }
    children.forEach(
        (name, c) ->
            sb.append("<a href=\"")
                .append(name)
                .append("\">")
                .append(name)
                .append("</a>              ")
                .append(INDEX_DATE.format(c.mtime()))
                .append("       ")
                .append(c.data().length)
                .append('\n'));
    sb.append("</pre><hr></body>\n</html>\n");
    return sb.toString();
  }
}

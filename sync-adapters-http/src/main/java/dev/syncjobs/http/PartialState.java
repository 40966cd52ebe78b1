package dev.syncjobs.http;

import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What is on disk of a partly downloaded file: the URL, the validator the bytes belong to, the
 * total size and, per Range segment, how many bytes are written. Saved beside the partial file so a
 * later run resumes it; a saved count never exceeds what was written.
 */
final class PartialState {
  final String url;
  volatile String validator;
  volatile long total;
  final List<Segment> segments = new ArrayList<>();

  /** One byte range [start, end) of the file, end -1 when unknown, with its written count. */
  static final class Segment {
    final long start;
    volatile long end;
    volatile long done;

    Segment(long start, long end, long done) {
      this.start = start;
      this.end = end;
      this.done = done;
    }

    boolean complete() {
      return end >= 0 && start + done >= end;
    }

    long length() {
      return end < 0 ? -1 : end - start;
    }
  }

  PartialState(String url, String validator, long total) {
    this.url = url;
    this.validator = validator;
    this.total = total;
  }

  long written() {
    long sum = 0;
    synchronized (segments) {
      for (Segment s : segments) {
        sum += s.done;
      }
    }
    return sum;
  }

  static PartialState load(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String url = null;
      String validator = null;
      long total = -1;
      List<Segment> segs = new ArrayList<>();
      for (String line : lines) {
        int sp = line.indexOf(' ');
        if (sp < 0) {
          continue;
        }
        String key = line.substring(0, sp);
        String value = line.substring(sp + 1);
        switch (key) {
          case "url" -> url = value;
          case "validator" -> validator = value.equals("-") ? null : value;
          case "total" -> total = Long.parseLong(value);
          case "seg" -> {
            String[] p = value.split(" ");
            segs.add(new Segment(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])));
          }
          default -> {}
        }
      }
      if (url == null || segs.isEmpty()) {
        return null;
      }
      PartialState s = new PartialState(url, validator, total);
      s.segments.addAll(segs);
      return s;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  synchronized void save(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("url ").append(url).append('\n');
    sb.append("validator ").append(validator == null ? "-" : validator.replace('\n', ' '));
    sb.append('\n').append("total ").append(total).append('\n');
    synchronized (segments) {
      for (Segment s : segments) {
        sb.append("seg ").append(s.start).append(' ').append(s.end).append(' ').append(s.done);
        sb.append('\n');
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // a leftover, or a link: never written through
    try (OutputStream out = StagingPaths.createNew(tmp)) {
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

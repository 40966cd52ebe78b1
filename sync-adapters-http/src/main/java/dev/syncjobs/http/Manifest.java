package dev.syncjobs.http;

import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The per-version record of what each file was on the server: a tab-separated file {@value #FILE}
 * in the version's records folder beside it ({@link Bookkeeping}), never in the version. A version
 * an earlier release published holds it at its top as {@value #OLD_FILE} instead; it is read from
 * there as the previous manifest, and no new version holds it. Columns: path (with %, tab, CR, LF
 * and backslash escaped), size, mtime (epoch seconds, from Last-Modified or the listing), listed
 * (the listing's own time text as epoch seconds, so two listings of the same server compare exactly
 * whatever its time zone), ETag, SHA-256.
 */
final class Manifest {
  static final String FILE = "http-manifest.tsv";

  /** Where an earlier release kept the manifest: inside the version. */
  static final String OLD_FILE = Bookkeeping.OLD_PREFIX + "-manifest.tsv";

  private static final String HEADER =
      "# syncjobs http manifest v1\tsize\tmtime\tlisted\tetag\tsha256";

  /**
   * One file's record. A run holds one per file until it writes the manifest, so the times are kept
   * as primitives, with a value no time has ({@link Long#MIN_VALUE}) for "none".
   */
  static final class Entry {
    private static final long NONE = Long.MIN_VALUE;

    private final String path;
    private final long size;
    private final long mtime;
    private final long listed;
    private final String etag;
    private final String sha256;

    /**
     * @param size bytes
     * @param mtime epoch seconds, null when unknown
     * @param listed the listing's time as epoch seconds, null when the listing shows none
     * @param etag null when unknown
     * @param sha256 lower-case hex, null when not computed
     */
    Entry(String path, long size, Long mtime, Long listed, String etag, String sha256) {
      this.path = path;
      this.size = size;
      this.mtime = time(mtime);
      this.listed = time(listed);
      this.etag = etag;
      this.sha256 = sha256;
    }

    private static long time(Long t) {
      if (t == null) {
        return NONE;
      }
      if (t == NONE) {
        throw new IllegalArgumentException("no time is " + t);
      }
      return t;
    }

    String path() {
      return path;
    }

    long size() {
      return size;
    }

    /** Epoch seconds, null when unknown. */
    Long mtime() {
      return mtime == NONE ? null : mtime;
    }

    /** The listing's time as epoch seconds, null when the listing shows none. */
    Long listed() {
      return listed == NONE ? null : listed;
    }

    /** Null when unknown. */
    String etag() {
      return etag;
    }

    /** Lower-case hex, null when not computed. */
    String sha256() {
      return sha256;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && path.equals(e.path)
          && size == e.size
          && mtime == e.mtime
          && listed == e.listed
          && Objects.equals(etag, e.etag)
          && Objects.equals(sha256, e.sha256);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, size, mtime, listed, etag, sha256);
    }

    @Override
    public String toString() {
      return "Entry[" + path + " " + size + " " + mtime() + " " + listed() + " " + etag + "]";
    }
  }

  private Manifest() {}

  /** Where the manifest of a version or staging directory is. */
  static Path of(Path versionOrStaging) {
    return Bookkeeping.of(versionOrStaging).resolve(FILE);
  }

  /**
   * The manifest file of the previous version: in its records, or, for a version an earlier release
   * published, at its top; null when it has none.
   */
  static Path ofPrevious(Path previous) {
    if (previous == null) {
      return null;
    }
    if (Bookkeeping.predatesRecords(previous)) {
      Path old = previous.resolve(OLD_FILE);
      return Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS) ? old : null;
    }
    Path file = of(previous);
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? file : null;
  }

  /**
   * The entries of a manifest, empty when the file is missing or unreadable. Read line by line: the
   * whole text of a large tree's manifest is never held.
   */
  static Map<String, Entry> read(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      return new LinkedHashMap<>();
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (first == null || !first.startsWith("# syncjobs http manifest v1")) {
        return new LinkedHashMap<>();
      }
      Map<String, Entry> out = new LinkedHashMap<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        parse(line, out);
      }
      return out;
    } catch (IOException | UncheckedIOException e) {
      return new LinkedHashMap<>();
    }
  }

  private static void parse(String line, Map<String, Entry> out) {
    String[] c = line.split("\t", -1);
    if (c.length != 6) {
      return;
    }
    try {
      String path = unescape(c[0]);
      out.put(
          path,
          new Entry(
              path,
              Long.parseLong(c[1]),
              optLong(c[2]),
              optLong(c[3]),
              c[4].equals("-") ? null : unescape(c[4]),
              c[5].equals("-") ? null : c[5]));
    } catch (RuntimeException e) {
      // a damaged line: that file is simply treated as new
    }
  }

  /**
   * Writes the manifest into the records of {@code staging}, its lines sorted by path (so equal
   * trees give equal bytes), streamed through a temporary file: a run of many files never holds the
   * whole text. When the result is the same as the previous manifest ({@link #ofPrevious}, null for
   * none) the temporary file is dropped and the previous one hard-linked in its place; else it is
   * renamed into place.
   */
  static void write(Path staging, Path old, Collection<Entry> entries) throws IOException {
    Entry[] sorted = entries.toArray(new Entry[0]);
    Arrays.sort(sorted, Comparator.comparing(Entry::path));
    Path records = Bookkeeping.create(staging);
    Path target = records.resolve(FILE);
    Files.deleteIfExists(target);
    Path tmp = records.resolve(FILE + ".tmp");
    Files.deleteIfExists(tmp); // a leftover, or a link: never written through
    try (Writer out =
        new BufferedWriter(
            new OutputStreamWriter(StagingPaths.createNew(tmp), StandardCharsets.UTF_8),
            64 * 1024)) {
      out.write(HEADER);
      out.write('\n');
      for (Entry e : sorted) {
        line(out, e);
      }
    }
    if (old != null && sameBytes(tmp, old)) {
      try {
        Files.createLink(target, old);
        Files.delete(tmp);
        return;
      } catch (IOException | UnsupportedOperationException e) {
        Files.deleteIfExists(target); // keep the copy just written
      }
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** One entry's line: path, size, mtime, listed, ETag, SHA-256, tab-separated, '-' for none. */
  private static void line(Writer out, Entry e) throws IOException {
    escape(e.path(), out);
    out.write('\t');
    out.write(Long.toString(e.size()));
    out.write('\t');
    out.write(e.mtime() == null ? "-" : e.mtime().toString());
    out.write('\t');
    out.write(e.listed() == null ? "-" : e.listed().toString());
    out.write('\t');
    if (e.etag() == null) {
      out.write('-');
    } else {
      escape(e.etag(), out);
    }
    out.write('\t');
    out.write(e.sha256() == null ? "-" : e.sha256());
    out.write('\n');
  }

  private static boolean sameBytes(Path written, Path old) {
    try {
      return Files.isRegularFile(old) && Files.mismatch(written, old) == -1L;
    } catch (IOException e) {
      return false;
    }
  }

  private static Long optLong(String s) {
    return s.equals("-") ? null : Long.valueOf(s);
  }

  /** Writes {@code s} with %, tab, CR, LF and backslash escaped as %XX. */
  private static void escape(String s, Writer out) throws IOException {
    if (!needsEscape(s)) {
      out.write(s);
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '%' -> out.write("%25");
        case '\t' -> out.write("%09");
        case '\n' -> out.write("%0A");
        case '\r' -> out.write("%0D");
        case '\\' -> out.write("%5C");
        default -> out.write(c);
      }
    }
  }

  private static boolean needsEscape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '\t' || c == '\n' || c == '\r' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}

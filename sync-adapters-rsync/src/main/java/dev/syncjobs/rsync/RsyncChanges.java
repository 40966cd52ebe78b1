package dev.syncjobs.rsync;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The entries in which the source differs from the previous version, as rsync's dry run itemizes
 * them ({@code --out-format=%i %n}): what a run must transfer, and what it must leave out.
 *
 * <p>Names arrive as rsync prints them under {@code LC_ALL=C}: every byte below a space (but a tab)
 * or above {@code ~}, and a backslash that would read as an escape, written as {@code \#ooo}
 * (octal). They are decoded back to their bytes, and kept only when those bytes are UTF-8, as
 * syncjobs takes every file name: any other name makes the whole list {@linkplain #add unusable}.
 */
final class RsyncChanges {
  /** More entries than this and a run transfers as if the dry run had not been made. */
  static final int MAX_ENTRIES = 10_000;

  private static final Pattern CODE = Pattern.compile("[<>c.][fdL][.+?a-zA-Z ]{9}");
  private static final Pattern ESCAPE = Pattern.compile("\\\\#[0-7]{3}");
  private static final Pattern DOT_SEGMENT = Pattern.compile(".*/\\.{1,2}/.*");

  /** File names are UTF-8 throughout syncjobs (see StagingPaths). */
  private static final Charset NAMES = StandardCharsets.UTF_8;

  /** An entry to transfer: a file, link or folder (no trailing slash), and its name's bytes. */
  record Entry(String name, byte[] bytes, boolean folder) {}

  private final List<Entry> transfer = new ArrayList<>();
  private final Set<String> leftOut = new HashSet<>();
  private final Set<String> removedFolders = new HashSet<>();
  private final Set<String> changedFolders = new HashSet<>();
  private int entries;
  private boolean unusable;
  private String reason;
  private boolean rootChanged;

  /**
   * Takes one line of the dry run's output. Lines that are not an itemized entry (the totals) are
   * ignored.
   *
   * @return false once the list cannot be used for a run (too long, or a name or code it cannot
   *     take), so rsync can be stopped
   */
  boolean add(String line) {
    if (unusable) {
      return false;
    }
    if (!isItem(line)) {
      return true;
    }
    if (line.length() < 13 || line.charAt(11) != ' ') {
      return fail("an itemized line without a name");
    }
    String code = line.substring(0, 11);
    String printed = line.substring(12);
    boolean deletion = code.startsWith("*deleting");
    if (!deletion && !CODE.matcher(code).matches()) {
      return fail("a device, a special file or a hard link");
    }
    if (printed.equals("./")) {
      rootChanged = true;
      return true;
    }
    boolean folder = printed.endsWith("/");
    byte[] bytes = decode(folder ? printed.substring(0, printed.length() - 1) : printed);
    String name = bytes == null ? null : name(bytes);
    if (name == null || name.isEmpty()) {
      return fail("a name the JVM cannot address exactly");
    }
    if (name.startsWith("/") || DOT_SEGMENT.matcher("/" + name + "/").matches()) {
      return fail("a name that does not stay below the source's folder");
    }
    if (++entries > MAX_ENTRIES) {
      return fail("more than " + MAX_ENTRIES + " entries differ");
    }
    if (deletion) {
      (folder ? removedFolders : leftOut).add(name);
    } else if (code.charAt(1) == 'd') {
      transfer.add(new Entry(name, bytes, true));
      changedFolders.add(name);
    } else {
      transfer.add(new Entry(name, bytes, false));
      leftOut.add(name);
    }
    return true;
  }

  /**
   * Whether {@code line} itemizes an entry: it starts with an update type and a file type ({@code
   * >f}, {@code cL}, {@code .d}...) or with {@code *deleting}. rsync's other lines (the totals) do
   * not.
   */
  static boolean isItem(String line) {
    return line.startsWith("*deleting")
        || (line.length() >= 2
            && "<>ch.".indexOf(line.charAt(0)) >= 0
            && "fdLDS".indexOf(line.charAt(1)) >= 0);
  }

  private boolean fail(String why) {
    unusable = true;
    reason = why;
    transfer.clear();
    leftOut.clear();
    removedFolders.clear();
    changedFolders.clear();
    return false;
  }

  /** Why the list cannot be used for a run, or null. */
  String reason() {
    return unusable ? reason : rootChanged ? "the source's top folder changed" : null;
  }

  /** Whether a run can use the list: every entry understood, the source's top folder unchanged. */
  boolean usable() {
    return !unusable && !rootChanged;
  }

  /** Whether the dry run itemized nothing at all: the source matches the previous version. */
  boolean none() {
    return !unusable
        && !rootChanged
        && transfer.isEmpty()
        && leftOut.isEmpty()
        && removedFolders.isEmpty();
  }

  /** The entries to transfer, in the dry run's order. */
  List<Entry> transfer() {
    return transfer;
  }

  /** Whether the previous version's file or link {@code name} must not be linked. */
  boolean leavesOut(String name) {
    return leftOut.contains(name);
  }

  /** Whether the previous version's folder {@code name} is gone from the source. */
  boolean removesFolder(String name) {
    return removedFolders.contains(name);
  }

  /** Whether the run transfers the folder {@code name} itself (its attributes changed). */
  boolean transfersFolder(String name) {
    return changedFolders.contains(name);
  }

  /** The bytes rsync printed as {@code text}, or null when an escape is malformed. */
  static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\'
          && i + 5 <= text.length()
          && ESCAPE.matcher(text.substring(i, i + 5)).matches()) {
        out.write(Integer.parseInt(text.substring(i + 2, i + 5), 8));
        i += 5;
      } else if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return null; // rsync escapes these (a tab it leaves): the line is not what this reads
      } else {
        out.write(c);
        i++;
      }
    }
    return out.toByteArray();
  }

  /** {@code bytes} as a name of the JVM's file name encoding, or null when they are not one. */
  private static String name(byte[] bytes) {
    try {
      String s =
          NAMES
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return java.util.Arrays.equals(s.getBytes(NAMES), bytes) ? s : null;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * NUL-separated names for {@code --files-from --from0}, each after {@code prefix} ({@link
   * RsyncEndpoint#listPrefix}).
   */
  byte[] filesFrom(String prefix) {
    byte[] before = prefix.getBytes(NAMES);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : transfer) {
      out.writeBytes(before);
      out.writeBytes(e.bytes());
      out.write(0);
    }
    return out.toByteArray();
  }
}

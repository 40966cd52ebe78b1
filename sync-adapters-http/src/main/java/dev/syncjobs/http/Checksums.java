package dev.syncjobs.http;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checksum files a source publishes beside its files: {@code SHA256SUMS} / {@code SHA512SUMS} (GNU
 * {@code hash name} or {@code hash *name} lines, or BSD {@code SHA256 (name) = hash}) and {@code
 * <name>.sha256} / {@code <name>.sha512} sidecars.
 */
final class Checksums {

  /** What a checksum file says one file must hash to. */
  record Expected(String algorithm, String hex, String from) {}

  private static final Pattern GNU = Pattern.compile("([0-9a-fA-F]{64,128})\\s+\\*?(.+)");
  private static final Pattern BSD =
      Pattern.compile("(SHA256|SHA512)\\s*\\((.+)\\)\\s*=\\s*([0-9a-fA-F]{64,128})");
  private static final Pattern BARE = Pattern.compile("([0-9a-fA-F]{64,128})");

  private Checksums() {}

  static boolean isChecksumFile(String relPath) {
    String name = relPath.substring(relPath.lastIndexOf('/') + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals("sha256sums")
        || lower.equals("sha512sums")
        || lower.endsWith(".sha256")
        || lower.endsWith(".sha512");
  }

  /** The expectations a checksum file at {@code relPath} states, keyed by relative path. */
  static Map<String, Expected> parse(String relPath, String text) {
    Map<String, Expected> out = new HashMap<>();
    int slash = relPath.lastIndexOf('/');
    String dir = slash < 0 ? "" : relPath.substring(0, slash + 1);
    String name = relPath.substring(slash + 1);
    String lower = name.toLowerCase(Locale.ROOT);
    boolean sidecar = lower.endsWith(".sha256") || lower.endsWith(".sha512");
    String sidecarTarget = sidecar ? relPath.substring(0, relPath.length() - 7) : null;
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String hex;
      String file;
      Matcher m;
      if ((m = BSD.matcher(line)).matches()) {
        hex = m.group(3);
        file = m.group(2);
      } else if ((m = GNU.matcher(line)).matches()) {
        hex = m.group(1);
        file = m.group(2);
      } else if (sidecar && (m = BARE.matcher(line)).matches()) {
        hex = m.group(1);
        file = null;
      } else {
        continue;
      }
      String algorithm =
          switch (hex.length()) {
            case 64 -> "SHA-256";
            case 128 -> "SHA-512";
            default -> null;
          };
      if (algorithm == null) {
        continue;
      }
      String target;
      if (sidecar) {
        target = sidecarTarget;
      } else {
        String f = file.startsWith("./") ? file.substring(2) : file;
        if (f.contains("..") || f.startsWith("/")) {
          continue;
        }
        target = dir + f;
      }
      out.put(target, new Expected(algorithm, hex.toLowerCase(Locale.ROOT), relPath));
      if (sidecar) {
        break;
      }
    }
    return out;
  }
}

package dev.syncjobs.rsync;

import java.util.Arrays;

/**
 * Running totals over rsync's file list, in list order: the regular files and their bytes before
 * each entry. Two numbers an entry, no names, so a list of millions of entries stays a few
 * megabytes.
 */
final class ListPrefix {
  private int[] files = new int[1024];
  private long[] bytes = new long[1024];
  private int size = 1; // entry 0: nothing before the first entry

  /** Appends the totals after one more entry. */
  void add(long filesSoFar, long bytesSoFar) {
    if (size == files.length) {
      files = Arrays.copyOf(files, size * 2);
      bytes = Arrays.copyOf(bytes, size * 2);
    }
    files[size] = (int) Math.min(Integer.MAX_VALUE, filesSoFar);
    bytes[size] = bytesSoFar;
    size++;
  }

  /** Entries added so far. */
  int size() {
    return size - 1;
  }

  /** Regular files among the first {@code entries} entries. */
  long files(int entries) {
    return files[entries];
  }

  /** Their bytes. */
  long bytes(int entries) {
    return bytes[entries];
  }
}

package dev.syncjobs.http;

import java.io.IOException;

/** The bytes on disk belong to another version of the file: start again from byte 0. */
final class RestartException extends IOException {
  RestartException(String message) {
    super(message);
  }
}

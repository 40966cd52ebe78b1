package dev.syncjobs.core.model;

/** Where an upload stands. */
public enum UploadStatus {
  /** Taking chunks (or tus PATCHes); its data file lies under the backend's upload folder. */
  ACTIVE,
  /** Its file is at its target path; only the record remains, until it expires. */
  COMPLETED,
  /** Every byte arrived but the whole-file SHA-256 did not match; its data waits for removal. */
  FAILED
}

package dev.syncjobs.core.model;

/** How the bytes of an upload arrive. */
public enum UploadProtocol {
  /** Numbered chunks of a fixed size, in any order ({@code /api/v1/sync/upload}). */
  CHUNKS,
  /** The tus 1.0 protocol: bytes appended at the stored offset ({@code /api/v1/tus}). */
  TUS
}

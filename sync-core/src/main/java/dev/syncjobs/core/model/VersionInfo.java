package dev.syncjobs.core.model;

import java.time.Instant;

/** One published version of a job's destination. */
public record VersionInfo(
    String name, Instant createdAt, long files, long bytes, boolean current) {}

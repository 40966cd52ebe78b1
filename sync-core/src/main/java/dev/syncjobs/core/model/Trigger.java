package dev.syncjobs.core.model;

/** Why a run exists. */
public enum Trigger {
  MANUAL,
  SCHEDULE,
  RETRY
}

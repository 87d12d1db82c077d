package io.echodb.core.model;

/** What a source delete leaves in the target. */
public enum DeleteMode {
    /** The row stays, flagged deleted; {@code FINAL} hides it. */
    SOFT,
    /** As SOFT, and the target removes flagged rows physically in the background. */
    HARD
}

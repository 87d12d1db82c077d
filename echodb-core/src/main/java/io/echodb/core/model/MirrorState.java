package io.echodb.core.model;

/** Life cycle of a mirror, common to every engine. */
public enum MirrorState {
    /** Accepted, not yet copying. */
    CREATING,
    /** Initial copy in progress while changes are already captured. */
    SNAPSHOTTING,
    /** Streaming changes. */
    RUNNING,
    /** Stopped on request; resumes on request. */
    PAUSED,
    /** Stopped by an error; see the last error. */
    FAILED,
    /** The table cannot be mirrored (reason in the last error), e.g. no key and no replica identity. */
    UNSUPPORTED,
    /** Being removed. */
    DROPPING;

    public boolean isActive() {
        return this == CREATING || this == SNAPSHOTTING || this == RUNNING;
    }
}

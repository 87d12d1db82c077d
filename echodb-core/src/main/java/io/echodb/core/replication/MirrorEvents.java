package io.echodb.core.replication;

/** What the stream side asks of the engine when a mirror's life changes; called with the engine lock held. */
interface MirrorEvents {

    /** The mirror stops with {@code reason}; its buffered changes are dropped. */
    void failed(MirrorRuntime mirror, String reason, Throwable cause);

    /** The table can no longer be mirrored (e.g. it lost its key). */
    void unsupported(MirrorRuntime mirror, String reason);

    /**
     * Stops the copy in progress (waiting for its writes), runs {@code inBetween}, then starts a fresh copy, whose
     * consistent point is after every change applied so far; {@code why} is for the log.
     */
    void restartSnapshot(MirrorRuntime mirror, String why, Runnable inBetween);

    /**
     * A RUNNING mirror's table took a shape its target cannot take in place (but a copy can rebuild it for): stops
     * applying, drops the buffered changes and copies the table again at a new consistent point.
     */
    void copyAgain(MirrorRuntime mirror, String why);

    void rowsWritten(MirrorRuntime mirror, int rows);

    /** A target call failed transiently and will be retried. */
    void transientFailure(MirrorRuntime mirror, String operation, RuntimeException error);

    /** A target call succeeded after transient failures. */
    void recovered(MirrorRuntime mirror);

    /**
     * Whether every mirror's state is durable (saving again what could not be saved before). The stream must not be
     * acknowledged past changes a mirror stopped applying while its stop is only in memory: after a crash the mirror
     * would come back RUNNING without them.
     */
    boolean statesDurable();
}

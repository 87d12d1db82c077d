package io.echodb.core.service;

/**
 * What one {@link AutoMirror#runOnce} round did. {@code position} is the acknowledged position after the round.
 * {@code deferredReason} is null when the batch was acknowledged; otherwise it says why the batch was left
 * unacknowledged (a retryable failure, or leadership lost) and will be read again.
 */
public record DdlBatchResult(
        int events,
        int created,
        int dropped,
        int failed,
        int unchanged,
        int ignored,
        long position,
        String deferredReason) {

    static DdlBatchResult nothingNew(long position) {
        return new DdlBatchResult(0, 0, 0, 0, 0, 0, position, null);
    }

    public boolean acknowledged() {
        return deferredReason == null;
    }
}

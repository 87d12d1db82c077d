package io.echodb.adapters.peerdb;

import io.echodb.core.model.MirrorState;

/**
 * PeerDB's {@code peerdb_flow.FlowStatus} (protos/flow.proto), in proto number order, and how each maps onto the
 * engine-neutral {@link MirrorState}.
 */
public enum PeerDbFlowStatus {
    STATUS_UNKNOWN(MirrorState.CREATING),
    STATUS_RUNNING(MirrorState.RUNNING),
    STATUS_PAUSED(MirrorState.PAUSED),
    /** Pause requested, not yet in effect: shown as paused, but PeerDB resumes only from PAUSED. */
    STATUS_PAUSING(MirrorState.PAUSED),
    STATUS_SETUP(MirrorState.CREATING),
    STATUS_SNAPSHOT(MirrorState.SNAPSHOTTING),
    STATUS_TERMINATING(MirrorState.DROPPING),
    STATUS_TERMINATED(MirrorState.DROPPING),
    /** A CDC mirror that completed no longer applies changes: it needs a resync, like a failed one. */
    STATUS_COMPLETED(MirrorState.FAILED),
    /** Re-copying from scratch while the old tables still serve reads. */
    STATUS_RESYNC(MirrorState.SNAPSHOTTING),
    STATUS_FAILED(MirrorState.FAILED),
    /** A configuration change is being applied to a running mirror. */
    STATUS_MODIFYING(MirrorState.RUNNING);

    private final MirrorState state;

    PeerDbFlowStatus(MirrorState state) {
        this.state = state;
    }

    public MirrorState state() {
        return state;
    }

    /** The name as PeerDB's JSON and logs spell it. */
    public String wireName() {
        return name();
    }

    /**
     * Parses the JSON form: grpc-gateway writes enum names ({@code "STATUS_RUNNING"}), older clients may send the
     * number. Anything unrecognised (a newer PeerDB) is {@link #STATUS_UNKNOWN}.
     */
    public static PeerDbFlowStatus parse(String value) {
        if (value == null || value.isBlank()) {
            return STATUS_UNKNOWN;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            int n = v.length() > 3 ? -1 : Integer.parseInt(v);
            return n >= 0 && n < values().length ? values()[n] : STATUS_UNKNOWN;
        }
        for (PeerDbFlowStatus s : values()) {
            if (s.name().equals(v)) {
                return s;
            }
        }
        return STATUS_UNKNOWN;
    }
}

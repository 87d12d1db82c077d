package io.echodb.core.service;

import java.util.OptionalLong;

/** Read side of leadership, for the parts that must act only while leading. Thread-safe. */
public interface LeaderView {

    /** True while this worker holds a lease it may still act on. */
    boolean isLeader();

    /** Counts leadership terms gained by this worker (0 before the first); a new value means "leader again". */
    long term();

    /** The fencing token of the current lease, or empty when not leading. */
    OptionalLong fencingToken();
}

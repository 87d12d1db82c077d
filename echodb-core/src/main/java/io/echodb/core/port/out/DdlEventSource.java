package io.echodb.core.port.out;

import io.echodb.core.model.DdlEvent;
import java.time.Duration;
import java.util.List;

/** Driven (data flowing in): durable DDL events in commit order after a cursor; {@code read} blocks up to {@code maxWait}; never returns null. */
public interface DdlEventSource {

    /** Events with position greater than {@code afterPosition}, oldest first, at most {@code max}; empty after waiting {@code maxWait}. */
    List<DdlEvent> read(long afterPosition, int max, Duration maxWait);

    /** The last acknowledged position (0 when none): where a new leader resumes. */
    long acknowledgedPosition();

    /** Records that every event up to {@code position} has been handled; never moves backwards. */
    void acknowledge(long position);
}

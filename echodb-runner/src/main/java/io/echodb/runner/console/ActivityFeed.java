package io.echodb.runner.console;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The latest things that happened to the mirrors, for the console's feed: DDL events taken from the outbox and mirror
 * state changes, newest first, the latest {@value #KEPT} kept in memory. Thread-safe.
 */
public final class ActivityFeed {

    static final int KEPT = 200;

    /** One entry: when, what kind ({@code ddl}, {@code state}, {@code slot}), about what, and the detail. */
    public record Entry(Instant at, String kind, String subject, String detail) {
        public Entry {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(subject, "subject");
        }
    }

    private final Clock clock;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    public ActivityFeed(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void record(String kind, String subject, String detail) {
        Entry e = new Entry(clock.instant(), kind, subject, detail);
        synchronized (entries) {
            entries.addFirst(e);
            while (entries.size() > KEPT) {
                entries.removeLast();
            }
        }
    }

    /** Newest first. */
    public List<Entry> latest() {
        synchronized (entries) {
            return Collections.unmodifiableList(new ArrayList<>(entries));
        }
    }
}

package io.echodb.runner.console;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.port.out.DdlEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Passes the DDL outbox through, and puts each event into the activity feed once it is acknowledged (handled), so an
 * event read again after a failure appears once.
 */
public final class FeedingDdlEventSource implements DdlEventSource {

    private final DdlEventSource delegate;
    private final ActivityFeed feed;
    /** Events read and not yet acknowledged, by position (an event read again replaces itself). */
    private final java.util.TreeMap<Long, DdlEvent> read = new java.util.TreeMap<>();
    private long recordedThrough;

    public FeedingDdlEventSource(DdlEventSource delegate, ActivityFeed feed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    @Override
    public List<DdlEvent> read(long afterPosition, int max, Duration maxWait) {
        List<DdlEvent> events = delegate.read(afterPosition, max, maxWait);
        synchronized (read) {
            for (DdlEvent e : events) {
                read.put(e.position(), e);
            }
        }
        return events;
    }

    @Override
    public long acknowledgedPosition() {
        return delegate.acknowledgedPosition();
    }

    @Override
    public void acknowledge(long position) {
        delegate.acknowledge(position);
        synchronized (read) {
            for (DdlEvent e : read.headMap(position, true).values()) {
                if (e.position() > recordedThrough) {
                    feed.record("ddl", e.table().qualified(), describe(e));
                }
            }
            recordedThrough = Math.max(recordedThrough, position);
            read.headMap(position, true).clear();
        }
    }

    private static String describe(DdlEvent e) {
        String kind = e.getClass().getSimpleName().replace("Table", "table ").toLowerCase(Locale.ROOT);
        if (e instanceof DdlEvent.TableRenamed r) {
            return kind + " from " + r.from().qualified();
        }
        if (e instanceof DdlEvent.TableRewritten r) {
            return kind + ": " + r.reason();
        }
        return kind;
    }
}

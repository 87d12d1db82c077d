package io.echodb.runner.console;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.port.DdlEventSource;
import java.time.Duration;
import java.util.ArrayList;
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
    private final List<DdlEvent> read = new ArrayList<>();
    private long recordedThrough;

    public FeedingDdlEventSource(DdlEventSource delegate, ActivityFeed feed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    @Override
    public List<DdlEvent> read(long afterPosition, int max, Duration maxWait) {
        List<DdlEvent> events = delegate.read(afterPosition, max, maxWait);
        synchronized (read) {
            read.addAll(events);
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
            for (DdlEvent e : read) {
                if (e.position() > recordedThrough && e.position() <= position) {
                    feed.record("ddl", e.table().qualified(), describe(e));
                }
            }
            recordedThrough = Math.max(recordedThrough, position);
            read.removeIf(e -> e.position() <= position);
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

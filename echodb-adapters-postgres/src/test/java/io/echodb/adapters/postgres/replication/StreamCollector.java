package io.echodb.adapters.postgres.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.port.out.ChangeStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Test helper: polls a stream until an expected event shows up, keeping everything seen. */
public final class StreamCollector {

    private final ChangeStream stream;
    private final List<ChangeEvent> events = new ArrayList<>();

    public StreamCollector(ChangeStream stream) {
        this.stream = stream;
    }

    public ChangeStream stream() {
        return stream;
    }

    public List<ChangeEvent> events() {
        return events;
    }

    /** Polls until {@code count} events matching {@code filter} have been collected in total. */
    public List<ChangeEvent> until(Predicate<ChangeEvent> filter, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (matching(filter).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + count + " events; got " + withoutKeepalives());
            }
            Optional<ChangeEvent> e = stream.poll(Duration.ofMillis(200));
            e.ifPresent(events::add);
        }
        return matching(filter);
    }

    /** Polls until {@code count} commits have been seen in total. */
    public List<ChangeEvent> untilCommits(int count, Duration timeout) {
        until(e -> e instanceof ChangeEvent.Commit, count, timeout);
        return withoutKeepalives();
    }

    /** Events seen so far that match {@code filter}. */
    public List<ChangeEvent> matching(Predicate<ChangeEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    public List<ChangeEvent> withoutKeepalives() {
        return matching(e -> !(e instanceof ChangeEvent.Keepalive));
    }

    public <T extends ChangeEvent> List<T> ofType(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}

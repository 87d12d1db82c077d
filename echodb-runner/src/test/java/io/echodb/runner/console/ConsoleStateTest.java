package io.echodb.runner.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineListener;
import io.echodb.core.testing.InMemoryDdlEventSource;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the console's feed, lag history and latest checks keep. */
class ConsoleStateTest {

    private final ManualClock clock = ManualClock.at("2026-12-03T10:00:00Z");
    private final ActivityFeed feed = new ActivityFeed(clock);
    private final TableRef orders = TableRef.of("public", "orders");

    @Test
    void ddlEventsEnterTheFeedOnceWhenAcknowledgedEvenIfReadTwice() {
        InMemoryDdlEventSource outbox = new InMemoryDdlEventSource(clock);
        FeedingDdlEventSource source = new FeedingDdlEventSource(outbox, feed);
        outbox.emitCreate(orders);
        outbox.emitRename(orders, TableRef.of("public", "orders_v2"));

        source.read(0, 10, Duration.ZERO);
        assertThat(feed.latest()).as("read is not handled yet").isEmpty();
        List<io.echodb.core.model.DdlEvent> again = source.read(0, 10, Duration.ZERO);
        source.acknowledge(again.get(1).position());
        source.acknowledge(again.get(1).position());

        assertThat(feed.latest()).extracting(ActivityFeed.Entry::kind, ActivityFeed.Entry::subject, ActivityFeed.Entry::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ddl", "public.orders_v2", "table renamed from public.orders"),
                        org.assertj.core.groups.Tuple.tuple("ddl", "public.orders", "table created"));
    }

    @Test
    void stateChangesEnterTheFeedAndReachTheDelegate() {
        List<String> seen = new java.util.ArrayList<>();
        EngineListener delegate = new EngineListener() {
            @Override
            public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
                seen.add(mirror.value() + " " + to);
            }
        };
        FeedingEngineListener listener = new FeedingEngineListener(delegate, feed);

        listener.stateChanged(new MirrorName("orders_mirror"), null, MirrorState.SNAPSHOTTING, null);
        listener.stateChanged(new MirrorName("orders_mirror"), MirrorState.RUNNING, MirrorState.FAILED, "target gone");

        assertThat(seen).containsExactly("orders_mirror SNAPSHOTTING", "orders_mirror FAILED");
        assertThat(feed.latest().get(0).detail()).isEqualTo("running → failed: target gone");
        assertThat(feed.latest().get(1).detail()).isEqualTo("new → snapshotting");
    }

    @Test
    void theFeedKeepsTheLatestEntriesOnly() {
        for (int i = 0; i < ActivityFeed.KEPT + 5; i++) {
            feed.record("state", "m" + i, null);
        }
        assertThat(feed.latest()).hasSize(ActivityFeed.KEPT);
        assertThat(feed.latest().get(0).subject()).isEqualTo("m" + (ActivityFeed.KEPT + 4));
    }

    @Test
    void lagHistoryKeepsTheLastHour() {
        LagHistory history = new LagHistory(clock, Duration.ofHours(1));
        history.record(1.0, null, 100L);
        clock.advance(Duration.ofMinutes(59));
        history.record(2.0, null, 200L);
        clock.advance(Duration.ofMinutes(2));
        history.record(null, null, null);

        assertThat(history.samples()).extracting(LagHistory.Sample::lagSeconds).containsExactly(2.0, null);
    }

    @Test
    void lastChecksKeepTheNewestReportPerTable() {
        LastChecks checks = new LastChecks();
        ConsistencyReport older = new ConsistencyReport(orders, "count", 5, 4, Verdict.MISMATCH, 0, List.of(), clock.instant());
        ConsistencyReport newer = new ConsistencyReport(orders, "count", 5, 5, Verdict.MATCH, 0, List.of(),
                clock.instant().plusSeconds(1));

        checks.record(newer);
        checks.record(older);

        assertThat(checks.all()).containsExactly(newer);
    }
}

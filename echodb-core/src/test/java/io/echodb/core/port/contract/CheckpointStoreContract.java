package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.MirrorRecord;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the native engine relies on from a {@link CheckpointStore}: every field of a record survives a save and a
 * reopen exactly (timestamps to the microsecond), saves replace, loads are sorted by name, deletes are idempotent.
 */
public abstract class CheckpointStoreContract {

    private static final Instant AT = Instant.parse("2024-05-06T07:08:09.123456Z");

    protected CheckpointStore store;

    /** An empty store; called before each test. */
    protected abstract CheckpointStore createStore();

    /** A new instance over the same durable storage as {@code store} (default: the same instance). */
    protected CheckpointStore reopen(CheckpointStore store) {
        return store;
    }

    @BeforeEach
    void openStore() {
        store = createStore();
    }

    @Test
    void aNewStoreIsEmpty() {
        assertThat(store.loadAll()).isEmpty();
    }

    @Test
    void everyFieldSurvivesASaveAndAReopen() {
        MirrorRecord full = new MirrorRecord(spec("orders_mirror", "sales", "orders", "sales_orders").withSettings(
                new io.echodb.core.model.TableSettings(java.util.List.of("tenant", "created_at"), "toYYYYMM(created_at)",
                        java.util.Set.of("payload_raw", "Blob \"2\""), io.echodb.core.model.DeleteMode.HARD,
                        java.time.Duration.ofMinutes(5))), MirrorState.RUNNING,
                Lsn.parse("16/B374D848"), 1_234_567_890_123L, "last 'error' with \"quotes\", ünïcödé and \\ backslash", AT,
                4_294_967_295L);
        MirrorRecord empty = new MirrorRecord(spec("users_mirror", "public", "Users", "users"), MirrorState.SNAPSHOTTING,
                null, 0, null, AT.plusSeconds(1));

        store.save(full);
        store.save(empty);

        assertThat(reopen(store).loadAll()).containsExactly(full, empty);
    }

    @Test
    void copyProgressSurvivesAndIsReplacedAndCleared() {
        io.echodb.core.port.out.CopyCheckpoint progress = io.echodb.core.port.out.CopyCheckpoint.startedAt(Lsn.parse("0/16B3748"))
                .withFinished(new io.echodb.core.port.out.CopyRange(16_384, 16_390, 0, 1_024))
                .withFinished(new io.echodb.core.port.out.CopyRange(16_384, 16_390, 4_096, io.echodb.core.port.out.CopyRange.END))
                .withFinished(new io.echodb.core.port.out.CopyRange(4_294_967_295L, 4_294_967_290L, 7, 9));
        MirrorRecord copying = new MirrorRecord(spec("big_mirror", "public", "big", "big"), MirrorState.SNAPSHOTTING, null,
                12, null, AT, 16_384, progress);
        store.save(copying);
        assertThat(reopen(store).loadAll()).containsExactly(copying);

        MirrorRecord resumedAndDone = new MirrorRecord(copying.spec(), MirrorState.RUNNING, progress.point(), 99, null,
                AT.plusSeconds(1), 16_384, progress.markResumed().completed());
        store.save(resumedAndDone);
        assertThat(reopen(store).loadAll()).containsExactly(resumedAndDone);

        MirrorRecord cleared = new MirrorRecord(copying.spec(), MirrorState.SNAPSHOTTING, progress.point(), 99, null,
                AT.plusSeconds(2), 16_384, null);
        store.save(cleared);
        assertThat(reopen(store).loadAll()).containsExactly(cleared);
    }

    @Test
    void everyStateSurvives() {
        int i = 0;
        for (MirrorState state : MirrorState.values()) {
            store.save(new MirrorRecord(spec("m_" + i++, "public", "t" + i, "t" + i), state, Lsn.of(i), i, null, AT));
        }
        assertThat(reopen(store).loadAll()).extracting(MirrorRecord::state).containsExactly(MirrorState.values());
    }

    @Test
    void saveReplacesTheRecordOfTheSameName() {
        MirrorRecord first = new MirrorRecord(spec("a_mirror", "public", "a", "a"), MirrorState.SNAPSHOTTING, null, 0, null, AT);
        store.save(first);
        MirrorRecord second = new MirrorRecord(first.spec(), MirrorState.RUNNING, Lsn.of(42), 7, null, AT.plusSeconds(5));
        store.save(second);
        MirrorRecord third = second.withState(MirrorState.FAILED, "boom", AT.plusSeconds(9));
        store.save(third);

        assertThat(reopen(store).loadAll()).containsExactly(third);
    }

    @Test
    void renameReplacesTheRecordUnderItsNewNameAndRefusesAnUnknownOne() {
        MirrorRecord before = new MirrorRecord(spec("a_mirror", "public", "a", "a"), MirrorState.RUNNING, Lsn.of(42), 7,
                null, AT, 1234L);
        MirrorRecord other = new MirrorRecord(spec("b_mirror", "public", "b", "b"), MirrorState.RUNNING, null, 0, null, AT);
        store.save(before);
        store.save(other);
        MirrorRecord after = new MirrorRecord(spec("c_mirror", "sales", "c", "sales_c"), MirrorState.RUNNING, Lsn.of(42), 7,
                null, AT.plusSeconds(1), 1234L);

        store.rename(before.spec().name(), after);

        assertThat(reopen(store).loadAll()).containsExactly(other, after);
        assertThatThrownBy(() -> store.rename(before.spec().name(), after))
                .isInstanceOf(io.echodb.core.port.in.MirrorNotFoundException.class);
        assertThat(reopen(store).loadAll()).containsExactly(other, after);
    }

    @Test
    void loadAllIsSortedByName() {
        for (String name : List.of("zeta_mirror", "alpha_mirror", "mid_mirror")) {
            store.save(new MirrorRecord(spec(name, "public", name, name), MirrorState.RUNNING, null, 0, null, AT));
        }
        assertThat(store.loadAll()).extracting(r -> r.spec().name().value())
                .containsExactly("alpha_mirror", "mid_mirror", "zeta_mirror");
    }

    @Test
    void deleteRemovesOnlyThatRecordAndIsIdempotent() {
        MirrorRecord a = new MirrorRecord(spec("a_mirror", "public", "a", "a"), MirrorState.RUNNING, null, 0, null, AT);
        MirrorRecord b = new MirrorRecord(spec("b_mirror", "public", "b", "b"), MirrorState.PAUSED, null, 0, null, AT);
        store.save(a);
        store.save(b);

        store.delete(a.spec().name());
        store.delete(a.spec().name());
        store.delete(new MirrorName("never_saved"));

        assertThat(reopen(store).loadAll()).containsExactly(b);
    }

    protected static MirrorSpec spec(String name, String schema, String table, String target) {
        return new MirrorSpec(new MirrorName(name), TableRef.of(schema, table), target);
    }

    /** Instants as a store with microsecond precision keeps them. */
    protected static Instant micros(Instant i) {
        return i.truncatedTo(ChronoUnit.MICROS);
    }
}

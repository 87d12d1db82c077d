package io.echodb.adapters.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.replication.PgSlotWatch.SlotState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link PgSlotWatch} against the real server: retained WAL grows while nobody consumes the slot. */
class PgSlotWatchTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("slotwatch");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    @Test
    void aSlotNobodyConsumesRetainsTheWalWrittenSinceItWasCreated() {
        String slot = db.name() + "_watch";
        db.sql("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            PgSlotWatch watch = new PgSlotWatch(db.connections(), slot);
            SlotState before = watch.read();
            assertThat(before.exists()).isTrue();
            assertThat(before.active()).isFalse();
            assertThat(before.walStatus()).isIn("reserved", "extended");
            assertThat(before.lost()).isFalse();

            db.sql("CREATE TABLE wal_filler (id int, v text)",
                    "INSERT INTO wal_filler SELECT g, repeat('w', 200) FROM generate_series(1, 20000) g");
            SlotState after = watch.read();
            assertThat(after.retainedBytes()).isGreaterThan(before.retainedBytes() + 4_000_000);
            // the test server sets no max_slot_wal_keep_size: no limit, so no safe size
            String limit = db.queryString("SHOW max_slot_wal_keep_size");
            if (limit.equals("-1")) {
                assertThat(after.safeWalBytes()).isNull();
            } else {
                assertThat(after.safeWalBytes()).isNotNull();
            }
        } finally {
            db.sql("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void aSlotThatDoesNotExistIsReportedMissing() {
        SlotState state = new PgSlotWatch(db.connections(), "no_such_slot_here").read();
        assertThat(state.exists()).isFalse();
        assertThat(state.walStatus()).isEqualTo("missing");
        assertThat(state.retainedBytes()).isZero();
    }
}

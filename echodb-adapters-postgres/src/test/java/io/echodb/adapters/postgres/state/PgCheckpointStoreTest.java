package io.echodb.adapters.postgres.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.MirrorRecord;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default {@code _echodb.mirrors} table: readable by people, recreated if dropped, exact round trips. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PgCheckpointStoreTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("checkpoint");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    @Test
    void storesReadableRowsAndSurvivesTheTableBeingDropped() {
        PgCheckpointStore store = new PgCheckpointStore(db.connections());
        Instant at = Instant.parse("2024-05-06T07:08:09.999999999Z");
        MirrorRecord r = new MirrorRecord(new MirrorSpec(new MirrorName("users_mirror"), TableRef.of("public", "Users"),
                "users"), MirrorState.RUNNING, Lsn.parse("16/B374D848"), 42, null, at);
        store.save(r);
        assertThat(store.loadAll()).containsExactly(r);
        assertThat(db.queryString("SELECT snapshot_lsn::text || ' ' || state || ' ' || updated_at"
                + " FROM _echodb.mirrors")).isEqualTo("16/B374D848 RUNNING 2024-05-06 07:08:09.999999+00");

        db.sql("DROP TABLE _echodb.mirrors");
        assertThat(store.loadAll()).isEmpty();
        store.save(r);
        assertThat(new PgCheckpointStore(db.connections()).loadAll()).containsExactly(r);
    }

    @Test
    void aNewLeaderEndsAStalledWriterThatHoldsTheFence() throws Exception {
        PgCheckpointStore old = new PgCheckpointStore(db.connections()).fencedBy("lock:stall", 1);
        old.loadAll(); // the fence row exists, at token 1
        try (Connection stalled = db.connect()) {
            // What an older leader paused inside a fenced write leaves behind: the fence row locked, nobody finishing.
            stalled.setAutoCommit(false);
            try (Statement st = stalled.createStatement()) {
                st.executeUpdate("UPDATE _echodb.leader_fence SET token = token WHERE name = 'lock:stall'");
            }

            // Without the fix this waits for ever (the class timeout fails it).
            assertThat(new PgCheckpointStore(db.connections()).fencedBy("lock:stall", 2).loadAll())
                .isEqualTo(new PgCheckpointStore(db.connections()).loadAll());

            assertThatThrownBy(stalled::commit).as("the stalled session was ended").isInstanceOf(SQLException.class);
        }
        assertThat(db.queryLong("SELECT token FROM _echodb.leader_fence WHERE name = 'lock:stall'")).isEqualTo(2);
        assertThatThrownBy(old::loadAll).isInstanceOf(FencedOutException.class);
    }
}

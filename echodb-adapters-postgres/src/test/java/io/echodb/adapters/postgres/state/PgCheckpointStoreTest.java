package io.echodb.adapters.postgres.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.MirrorRecord;
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
}

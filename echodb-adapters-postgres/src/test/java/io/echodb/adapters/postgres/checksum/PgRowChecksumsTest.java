package io.echodb.adapters.postgres.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import io.echodb.core.testing.CanonicalCases;
import io.echodb.core.testing.CanonicalCases.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgRowChecksumsTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.create("row_checksums");
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @Test
    void aRowOfEveryTypeHashesLikeTheReference() {
        List<Case> cases = CanonicalCases.all();
        CanonicalCases.PG_SETUP.forEach(db::sql);
        List<String> defs = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        List<Column> columns = new ArrayList<>(List.of(Column.of("id", ColumnType.INT32, false)));
        List<ColumnType> types = new ArrayList<>(List.of(ColumnType.INT32));
        List<Object> values = new ArrayList<>(List.of(1));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            defs.add("c" + i + " " + c.pgType());
            literals.add(c.pgLiteral());
            columns.add(Column.of("c" + i, c.type(), true));
            types.add(c.type());
            values.add(c.value());
        }
        db.sql("CREATE TABLE every_type (id int PRIMARY KEY, " + String.join(", ", defs) + ")",
                "INSERT INTO every_type VALUES (1, " + String.join(", ", literals) + ")");
        TableSchema schema = new TableSchema(TableRef.of("public", "every_type"), columns, List.of("id"), ReplicaIdentity.DEFAULT);

        List<RowDigest> rows = new PgRowChecksums(db.connections())
                .rowDigests(Query.of(Scope.allColumns(schema), List.of(HashRange.ALL)), 10).rows();

        String rowText = CanonicalForm.row(types, values);
        assertThat(rows).containsExactly(new RowDigest("1", CanonicalForm.keyHash("1"), CanonicalForm.rowHash(rowText)));
    }

    @Test
    void aReadingReportsTheWalPositionOfItsSnapshot() {
        db.sql("CREATE TABLE positions (id int PRIMARY KEY)", "INSERT INTO positions SELECT generate_series(1, 10)");
        TableSchema schema = new TableSchema(TableRef.of("public", "positions"), List.of(Column.of("id", ColumnType.INT32, false)),
                List.of("id"), ReplicaIdentity.DEFAULT);
        PgRowChecksums checksums = new PgRowChecksums(db.connections());
        Lsn before = checksums.currentPosition().orElseThrow();

        Digests digests = checksums.bucketDigests(Query.of(Scope.allColumns(schema), List.of(HashRange.ALL)), 0);
        db.sql("INSERT INTO positions VALUES (11)");
        Lsn after = checksums.currentPosition().orElseThrow();

        Lsn at = digests.position().orElseThrow();
        assertThat(at).isGreaterThanOrEqualTo(before);
        assertThat(after).isGreaterThan(at);
        assertThat(digests.newest()).isEmpty();
        assertThat(digests.buckets()).singleElement().satisfies(b -> assertThat(b.rows()).isEqualTo(10));
    }

    @Test
    void theSlotPositionIsTheConfirmedFlushPosition() {
        String slot = "checksum_slot_" + Long.toHexString(System.nanoTime());
        db.sql("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            PgSlotPosition position = new PgSlotPosition(db.connections(), slot);
            Lsn expected = Lsn.parse(db.queryString(
                    "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));

            assertThat(position.confirmedFlush()).contains(expected);
            assertThat(new PgSlotPosition(db.connections(), "no_such_slot").confirmedFlush()).isEmpty();
        } finally {
            db.sql("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }
}

package io.echodb.adapters.postgres.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.ColumnType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Catalog listing rules beyond the contract: partitions, the engine's schema, views; row counts of partitioned roots. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PgSourceCatalogTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("catalog");
        db.sql("CREATE TABLE plain (id int PRIMARY KEY)",
                "CREATE TABLE parted (id int, r text, PRIMARY KEY (id, r)) PARTITION BY LIST (r)",
                "CREATE TABLE parted_a PARTITION OF parted FOR VALUES IN ('a')",
                "CREATE TABLE parted_b PARTITION OF parted FOR VALUES IN ('b') PARTITION BY RANGE (id)",
                "CREATE TABLE parted_b_1 PARTITION OF parted_b FOR VALUES FROM (0) TO (100)",
                "CREATE VIEW a_view AS SELECT * FROM plain",
                "CREATE MATERIALIZED VIEW a_matview AS SELECT * FROM plain",
                "CREATE SEQUENCE a_seq",
                "CREATE SCHEMA _echodb", "CREATE TABLE _echodb.mirrors_like (id int PRIMARY KEY)",
                "CREATE TYPE \"Color\" AS ENUM ('red', 'green')",
                "CREATE DOMAIN positive_price AS numeric(8,2) CHECK (VALUE > 0)",
                "CREATE TABLE typed (id int PRIMARY KEY, c \"Color\", cs \"Color\"[], p positive_price, ps positive_price[],"
                        + " ip inet, ips inet[], n numeric(3,-1))",
                "INSERT INTO parted VALUES (1, 'a'), (2, 'a'), (3, 'b')");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    @Test
    void listsPlainTablesAndPartitionedRootsOnly() {
        PgSourceCatalog catalog = new PgSourceCatalog(db.connections());
        assertThat(catalog.listTables(Set.of("public", "_echodb")))
                .containsExactly(TableRef.of("public", "parted"), TableRef.of("public", "plain"), TableRef.of("public", "typed"));
        assertThat(new PgSourceCatalog(db.connections(), Set.of()).listTables(Set.of("_echodb")))
                .containsExactly(TableRef.of("_echodb", "mirrors_like"));
        assertThat(catalog.describe(TableRef.of("public", "a_view"))).isEmpty();
    }

    @Test
    void enumsDomainsArraysAndUnknownTypesAreResolved() {
        var schema = new PgSourceCatalog(db.connections()).describe(TableRef.of("public", "typed")).orElseThrow();
        ColumnType color = new ColumnType.Enum("public.Color", List.of("red", "green"));
        assertThat(schema.columns()).extracting(c -> c.type()).containsExactly(ColumnType.INT32, color,
                new ColumnType.ArrayOf(color), new ColumnType.Decimal(8, 2), new ColumnType.ArrayOf(new ColumnType.Decimal(8, 2)),
                new ColumnType.Unknown("inet"), new ColumnType.Unknown("_inet"), ColumnType.NUMERIC);
        db.sql("ALTER TYPE \"Color\" ADD VALUE 'blue'");
        var again = new PgSourceCatalog(db.connections()).describe(TableRef.of("public", "typed")).orElseThrow();
        assertThat(again.columns().get(1).type()).isEqualTo(new ColumnType.Enum("public.Color", List.of("red", "green", "blue")));
    }

    @Test
    void rowCounterCountsPartitionedRootsAndRejectsMissingTables() {
        Instant now = Instant.parse("2024-01-01T00:00:00Z");
        PgRowCounter counter = new PgRowCounter(db.connections(), Clock.fixed(now, ZoneOffset.UTC));
        var count = counter.count(TableRef.of("public", "parted"));
        assertThat(count.count()).isEqualTo(3);
        assertThat(count.at()).isEqualTo(now);
        assertThatThrownBy(() -> counter.count(TableRef.of("public", "nope")))
                .isInstanceOf(PgSourceException.class).hasMessageContaining("public.nope");
    }
}

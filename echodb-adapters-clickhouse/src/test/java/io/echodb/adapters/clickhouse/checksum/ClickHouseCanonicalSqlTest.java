package io.echodb.adapters.clickhouse.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.clickhouse.ChType;
import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import io.echodb.adapters.clickhouse.ClickHouseSql;
import io.echodb.adapters.clickhouse.ClickHouseTypeMapper;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import io.echodb.core.testing.CanonicalCases;
import io.echodb.core.testing.CanonicalCases.Case;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pins ClickHouse's side of the canonical form to the shared cases: each case's neutral value (what the engine decodes
 * from PostgreSQL) is written through the real sink, and the stored value renders in SQL exactly as the case says —
 * the same text PostgreSQL's side renders for the same data (PgCanonicalSqlTest).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClickHouseCanonicalSqlTest {

    private static final List<Case> CASES = CanonicalCases.all();
    private static ChecksumTarget target;
    private static TableSchema schema;

    @BeforeAll
    static void writeEveryCase() {
        target = ChecksumTarget.create("canonical_sql");
        List<Column> columns = new ArrayList<>(List.of(Column.of("id", ColumnType.INT32, false)));
        List<Object> values = new ArrayList<>(List.of(1));
        for (int i = 0; i < CASES.size(); i++) {
            columns.add(Column.of("c" + i, CASES.get(i).type(), true));
            values.add(CASES.get(i).value());
        }
        schema = new TableSchema(TableRef.of("public", "cases"), columns, List.of("id"), ReplicaIdentity.DEFAULT);
        target.givenTable(schema, List.of(Row.of(values.toArray())), 0x2000);
    }

    @AfterAll
    static void close() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void everyCaseRendersAsPinned() {
        Map<String, ChType> stored = storedTypes();
        ClickHouseCanonicalSql canonical = new ClickHouseCanonicalSql(new ClickHouseTypeMapper(false));
        List<String> exprs = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            exprs.add(canonical.column(CASES.get(i).type(), stored.get("c" + i), ClickHouseSql.identifier("c" + i)));
        }

        QueryResult result = target.gateway.query("SELECT " + String.join(", ", exprs) + " FROM "
                + ClickHouseSql.table(target.database, "cases") + " FINAL", "render cases");

        assertThat(result.rows()).hasSize(1);
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < CASES.size(); i++) {
            String rendered = new String((byte[]) result.rows().get(0)[i], StandardCharsets.UTF_8);
            soft.assertThat(rendered).as(CASES.get(i).name() + " stored as " + stored.get("c" + i).sql())
                    .isEqualTo(CASES.get(i).canonical());
        }
        soft.assertAll();
    }

    @Test
    void keyAndRowHashesAreTheReferencesHashes() {
        QueryResult result = target.gateway.query("SELECT " + ClickHouseCanonicalSql.keyHash("'abc'") + ", "
                + ClickHouseCanonicalSql.rowHash("'abc'") + ", " + ClickHouseCanonicalSql.keyHash(ClickHouseSql.literal("héllo|\\N"))
                + ", " + ClickHouseCanonicalSql.rowHash(ClickHouseSql.literal("héllo|\\N")), "hash");

        Object[] row = result.rows().get(0);
        assertThat(((Number) row[0]).longValue()).isEqualTo(CanonicalForm.keyHash("abc"));
        assertThat(((Number) row[1]).longValue()).isEqualTo(CanonicalForm.rowHash("abc"));
        assertThat(((Number) row[2]).longValue()).isEqualTo(CanonicalForm.keyHash("héllo|\\N"));
        assertThat(((Number) row[3]).longValue()).isEqualTo(CanonicalForm.rowHash("héllo|\\N"));
    }

    private static Map<String, ChType> storedTypes() {
        QueryResult r = target.gateway.query("SELECT name, type FROM system.columns WHERE database = "
                + ClickHouseSql.literal(target.database) + " AND table = 'cases'", "describe");
        Map<String, ChType> out = new LinkedHashMap<>();
        for (Object[] row : r.rows()) {
            out.put(new String((byte[]) row[0], StandardCharsets.UTF_8), ChType.parse(new String((byte[]) row[1], StandardCharsets.UTF_8)));
        }
        return out;
    }
}

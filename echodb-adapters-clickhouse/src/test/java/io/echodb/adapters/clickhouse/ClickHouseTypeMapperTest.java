package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseTypeMapperTest {

    private final ClickHouseTypeMapper mapper = new ClickHouseTypeMapper(false);

    @Test
    void mapsEveryNeutralTypeAsDocumented() {
        assertThat(mapper.sql(ColumnType.BOOL)).isEqualTo("Bool");
        assertThat(mapper.sql(ColumnType.INT16)).isEqualTo("Int16");
        assertThat(mapper.sql(ColumnType.INT32)).isEqualTo("Int32");
        assertThat(mapper.sql(ColumnType.INT64)).isEqualTo("Int64");
        assertThat(mapper.sql(ColumnType.FLOAT32)).isEqualTo("Float32");
        assertThat(mapper.sql(ColumnType.FLOAT64)).isEqualTo("Float64");
        assertThat(mapper.sql(new ColumnType.Decimal(10, 2))).isEqualTo("Decimal(10, 2)");
        assertThat(mapper.sql(new ColumnType.Decimal(76, 76))).isEqualTo("Decimal(76, 76)");
        assertThat(mapper.sql(new ColumnType.Decimal(77, 2))).isEqualTo("String");
        assertThat(mapper.sql(ColumnType.NUMERIC)).isEqualTo("String");
        assertThat(mapper.sql(ColumnType.TEXT)).isEqualTo("String");
        assertThat(mapper.sql(ColumnType.BYTES)).isEqualTo("String");
        assertThat(mapper.sql(ColumnType.DATE)).isEqualTo("Date32");
        assertThat(mapper.sql(ColumnType.TIME)).isEqualTo("String");
        assertThat(mapper.sql(ColumnType.TIMESTAMP)).isEqualTo("DateTime64(6, 'UTC')");
        assertThat(mapper.sql(ColumnType.TIMESTAMPTZ)).isEqualTo("DateTime64(6, 'UTC')");
        assertThat(mapper.sql(ColumnType.UUID)).isEqualTo("UUID");
        assertThat(mapper.sql(ColumnType.JSON)).isEqualTo("String");
        assertThat(new ClickHouseTypeMapper(true).sql(ColumnType.JSON)).isEqualTo("JSON");
        assertThat(mapper.sql(ColumnType.INTERVAL)).isEqualTo("String");
        assertThat(mapper.sql(new ColumnType.Enum("mood", List.of("sad", "ok")))).isEqualTo("LowCardinality(String)");
        assertThat(mapper.sql(new ColumnType.ArrayOf(ColumnType.INT32))).isEqualTo("Array(Nullable(Int32))");
        assertThat(mapper.sql(new ColumnType.ArrayOf(new ColumnType.ArrayOf(ColumnType.TEXT))))
                .isEqualTo("Array(Array(Nullable(String)))");
        assertThat(mapper.sql(new ColumnType.ArrayOf(new ColumnType.Enum("e", List.of()))))
                .isEqualTo("Array(LowCardinality(Nullable(String)))");
        assertThat(mapper.sql(new ColumnType.Unknown("point"))).isEqualTo("String");
    }

    @Test
    void nullableColumnsStayNullableDecimalsAlwaysAreKeysNeverAre() {
        TableSchema s = schema(ReplicaIdentity.DEFAULT,
                Column.of("id", ColumnType.INT64, false),
                Column.of("note", ColumnType.TEXT, true),
                Column.of("amount", new ColumnType.Decimal(12, 2), false),
                Column.of("tags", new ColumnType.ArrayOf(ColumnType.TEXT), true),
                Column.of("mood", new ColumnType.Enum("mood", List.of()), true));

        assertThat(type(s, "id")).isEqualTo("Int64");
        assertThat(type(s, "note")).isEqualTo("Nullable(String)");
        assertThat(type(s, "amount")).isEqualTo("Nullable(Decimal(12, 2))");
        assertThat(type(s, "tags")).isEqualTo("Array(Nullable(String))");
        assertThat(type(s, "mood")).isEqualTo("LowCardinality(Nullable(String))");
        assertThat(mapper.needsNullableKey(s)).isFalse();
    }

    @Test
    void decimalKeysAreNotNullableAndFullIdentityKeysMayBe() {
        TableSchema pk = schema(ReplicaIdentity.DEFAULT, Column.of("id", new ColumnType.Decimal(10, 0), false));
        assertThat(type(pk, "id")).isEqualTo("Decimal(10, 0)");

        TableSchema full = new TableSchema(TableRef.of("public", "t"),
                List.of(Column.of("a", ColumnType.INT32, true), Column.of("b", ColumnType.TEXT, false)),
                List.of("a", "b"), ReplicaIdentity.FULL);
        assertThat(type(full, "a")).isEqualTo("Nullable(Int32)");
        assertThat(type(full, "b")).isEqualTo("String");
        assertThat(mapper.needsNullableKey(full)).isTrue();
    }

    @Test
    void jsonKeysStayStringEvenWithTheJsonFlag() {
        TableSchema s = schema(ReplicaIdentity.DEFAULT, Column.of("doc", ColumnType.JSON, false));
        assertThat(new ClickHouseTypeMapper(true).columnType(s.columns().get(0), s).sql()).isEqualTo("String");
    }

    private String type(TableSchema s, String column) {
        return mapper.columnType(s.column(column).orElseThrow(), s).sql();
    }

    private static TableSchema schema(ReplicaIdentity identity, Column... columns) {
        return new TableSchema(TableRef.of("public", "t"), List.of(columns), List.of(columns[0].name()), identity);
    }
}

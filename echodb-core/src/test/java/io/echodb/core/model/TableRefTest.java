package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableRefTest {

    @Test
    void keepsNamesExactlyAsPostgresStoresThem() {
        TableRef t = TableRef.of("Sales", "Order Items");

        assertThat(t.schema()).isEqualTo("Sales");
        assertThat(t.name()).isEqualTo("Order Items");
        assertThat(t.qualified()).isEqualTo("Sales.Order Items");
        assertThat(t).hasToString("Sales.Order Items");
        assertThat(t).isNotEqualTo(TableRef.of("sales", "order items"));
    }

    @Test
    void parsesQualifiedAndBareNames() {
        assertThat(TableRef.parse("audit.log")).isEqualTo(TableRef.of("audit", "log"));
        assertThat(TableRef.parse("users")).isEqualTo(TableRef.of("public", "users"));
        assertThat(TableRef.parse("a.b.c")).isEqualTo(TableRef.of("a", "b.c"));
    }

    @Test
    void rejectsEmptyNulAndOverlongNames() {
        assertThatThrownBy(() -> TableRef.of("", "t")).isInstanceOf(InvalidValueException.class).hasMessageContaining("schema");
        assertThatThrownBy(() -> TableRef.of("public", null)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("table name");
        assertThatThrownBy(() -> TableRef.of("public", "a\0b")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> TableRef.parse(".t")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> TableRef.parse("s.")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void theLengthLimitCountsUtf8BytesLikeNamedatalen() {
        assertThat(TableRef.of("public", "x".repeat(63)).name()).hasSize(63);
        assertThatThrownBy(() -> TableRef.of("public", "x".repeat(64))).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("63 bytes");
        // 'ü' takes two bytes: 31 of them are 62 bytes, 32 are 64.
        assertThat(TableRef.of("public", "ü".repeat(31)).name()).hasSize(31);
        assertThatThrownBy(() -> TableRef.of("public", "ü".repeat(32))).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void ordersBySchemaThenName() {
        List<TableRef> refs = new ArrayList<>(List.of(
                TableRef.of("public", "b"), TableRef.of("audit", "z"), TableRef.of("public", "a")));
        Collections.sort(refs);

        assertThat(refs).containsExactly(TableRef.of("audit", "z"), TableRef.of("public", "a"), TableRef.of("public", "b"));
    }
}

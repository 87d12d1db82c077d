package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Lsn} lives in {@code io.echodb.core.change}; its value tests sit with the other model tests. */
class LsnTest {

    @Test
    void parsesAndFormatsPostgresNotation() {
        Lsn lsn = Lsn.parse("16/B374D848");

        assertThat(lsn.value()).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("16/b374d848")).isEqualTo(lsn);
        assertThat(Lsn.ZERO).hasToString("0/0");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/1", "1/0", "0/FFFFFFFF", "FFFFFFFF/FFFFFFFF", "7FFFFFFF/12AB", "ABC/DEF"})
    void roundTrips(String text) {
        assertThat(Lsn.parse(text)).hasToString(text);
    }

    @Test
    void theTopHalfIsUnsigned() {
        Lsn max = Lsn.parse("FFFFFFFF/FFFFFFFF");
        Lsn high = Lsn.parse("80000000/0");

        assertThat(max.value()).isEqualTo(-1L);
        assertThat(max).isGreaterThan(high);
        assertThat(high).isGreaterThan(Lsn.parse("7FFFFFFF/FFFFFFFF"));
        assertThat(max.isAfter(high)).isTrue();
        assertThat(high.isAfter(max)).isFalse();
        assertThat(Lsn.max(high, max)).isEqualTo(max);
        assertThat(Lsn.max(Lsn.ZERO, Lsn.ZERO)).isEqualTo(Lsn.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16", "16B374D848", "/1", "1/", "G/0", "0/X", " 1/2"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("LSN");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(InvalidValueException.class);
    }
}

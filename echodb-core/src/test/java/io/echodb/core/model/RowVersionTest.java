package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RowVersion} lives in {@code io.echodb.core.change}; its ordering tests sit with the model tests. */
class RowVersionTest {

    private static final Lsn P = Lsn.parse("1/1000");

    @Test
    void aSnapshotRowLosesToEveryChangeCommittedAtOrAfterItsPoint() {
        RowVersion snapshot = RowVersion.snapshot(P);

        assertThat(snapshot).isLessThan(RowVersion.change(P, 1));
        assertThat(snapshot).isLessThan(RowVersion.change(Lsn.parse("1/1001"), 1));
        assertThat(snapshot).isGreaterThan(RowVersion.change(Lsn.parse("1/FFF"), 70_000));
    }

    @Test
    void withinATransactionTheLaterChangeWins() {
        assertThat(RowVersion.change(P, 2)).isGreaterThan(RowVersion.change(P, 1));
        // Beyond 65,536 changes the ordinal still orders correctly.
        assertThat(RowVersion.change(P, 65_537)).isGreaterThan(RowVersion.change(P, 65_536));
    }

    @Test
    void lsnsCompareUnsigned() {
        RowVersion high = RowVersion.change(Lsn.parse("FFFFFFFF/0"), 1);
        RowVersion low = RowVersion.change(Lsn.parse("7FFFFFFF/0"), 1);

        assertThat(high).isGreaterThan(low);
    }

    @Test
    void sortsByLsnThenOrdinal() {
        List<RowVersion> versions = new ArrayList<>(List.of(
                RowVersion.change(Lsn.parse("2/0"), 1), RowVersion.change(P, 3), RowVersion.snapshot(P),
                RowVersion.change(P, 1)));
        Collections.sort(versions);

        assertThat(versions).containsExactly(RowVersion.snapshot(P), RowVersion.change(P, 1), RowVersion.change(P, 3),
                RowVersion.change(Lsn.parse("2/0"), 1));
    }

    @Test
    void theUnsigned128FormPutsTheLsnInTheHighHalf() {
        assertThat(RowVersion.change(P, 5).toUnsigned128())
                .isEqualTo(BigInteger.valueOf(P.value()).shiftLeft(64).add(BigInteger.valueOf(5)));
        BigInteger max = RowVersion.change(Lsn.parse("FFFFFFFF/FFFFFFFF"), 1).toUnsigned128();
        assertThat(max.signum()).isPositive();
        assertThat(max.bitLength()).isEqualTo(128);
        assertThat(RowVersion.change(Lsn.parse("FFFFFFFF/FFFFFFFF"), 1).toUnsigned128())
                .isGreaterThan(RowVersion.change(Lsn.parse("7FFFFFFF/FFFFFFFF"), Long.MAX_VALUE).toUnsigned128());
    }

    @Test
    void aNegativeOrdinalIsRejected() {
        assertThatThrownBy(() -> new RowVersion(1, -1)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("ordinal");
    }
}

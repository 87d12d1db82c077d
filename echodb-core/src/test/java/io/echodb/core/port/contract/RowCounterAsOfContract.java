package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.AsOfCount;
import io.echodb.core.port.out.RowCounterAsOf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Contract of {@link RowCounterAsOf} (the target side). Every test uses fresh tables. */
public abstract class RowCounterAsOfContract {

    protected RowCounterAsOf counter;

    protected abstract RowCounterAsOf newCounter();

    /** Creates {@code table} (empty) on this side. */
    protected abstract void givenTable(TableRef table);

    /** Writes the row {@code key} as the version of the transaction that committed at {@code commit}. */
    protected abstract void givenVersion(TableRef table, int key, Lsn commit, boolean deleted);

    protected String schema() {
        return "public";
    }

    @BeforeEach
    void openCounter() {
        counter = newCounter();
    }

    @Test
    void countsEachKeysLatestVersionBeforeThePosition() {
        TableRef t = table();
        givenTable(t);
        givenVersion(t, 1, Lsn.of(100), false);
        givenVersion(t, 2, Lsn.of(100), false);
        givenVersion(t, 2, Lsn.of(200), true);   // deleted at 200
        givenVersion(t, 3, Lsn.of(300), false);  // inserted at 300
        givenVersion(t, 1, Lsn.of(300), false);  // updated at 300

        assertThat(counter.countBefore(t, Lsn.of(100)).rows()).isZero();
        assertThat(counter.countBefore(t, Lsn.of(101)).rows()).isEqualTo(2);
        assertThat(counter.countBefore(t, Lsn.of(250)).rows()).isEqualTo(1);
        assertThat(counter.countBefore(t, Lsn.of(301))).isEqualTo(AsOfCount.exactly(2));
        assertThat(counter.countBefore(t, Lsn.of(1_000_000))).isEqualTo(AsOfCount.exactly(2));
    }

    @Test
    void anEmptyTableHasNoRows() {
        TableRef t = table();
        givenTable(t);

        assertThat(counter.countBefore(t, Lsn.of(500))).isEqualTo(AsOfCount.exactly(0));
    }

    @Test
    void countingAMissingTableThrows() {
        assertThatThrownBy(() -> counter.countBefore(table(), Lsn.of(1))).isInstanceOf(RuntimeException.class);
    }

    protected TableRef table() {
        return TableRef.of(schema(), ContractNames.unique("asof"));
    }
}

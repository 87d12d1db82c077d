package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.PositionedCount;
import io.echodb.core.port.out.PositionedRowCounter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Contract of {@link PositionedRowCounter} (the source side). Every test uses fresh tables. */
public abstract class PositionedRowCounterContract {

    protected PositionedRowCounter counter;

    protected abstract PositionedRowCounter newCounter();

    /** Makes {@code table} exist with exactly {@code n} live rows, each change committed (and so moving the position). */
    protected abstract void givenRows(TableRef table, int n);

    protected String schema() {
        return "public";
    }

    @BeforeEach
    void openCounter() {
        counter = newCounter();
    }

    @Test
    void countsWithAPositionThatMovesForwardWithCommits() {
        TableRef t = table();
        givenRows(t, 5);
        PositionedCount first = counter.count(t);
        givenRows(t, 9);
        PositionedCount second = counter.count(t);

        assertThat(first.table()).isEqualTo(t);
        assertThat(first.count()).isEqualTo(5);
        assertThat(second.count()).isEqualTo(9);
        assertThat(second.position()).isGreaterThan(first.position());
    }

    @Test
    void theConsistentPointCountsEveryEarlierCommit() {
        TableRef t = table();
        givenRows(t, 3);
        PositionedCount cheap = counter.count(t);

        PositionedCount exact = counter.countAtConsistentPoint(t);

        assertThat(exact.count()).isEqualTo(3);
        assertThat(exact.position()).isGreaterThanOrEqualTo(cheap.position());
    }

    @Test
    void aNameThatNeedsQuotingIsCounted() {
        TableRef t = TableRef.of(schema(), "Odd \"Quoted\" " + ContractNames.unique("P"));
        givenRows(t, 2);

        assertThat(counter.count(t).count()).isEqualTo(2);
        assertThat(counter.countAtConsistentPoint(t).count()).isEqualTo(2);
    }

    @Test
    void countingAMissingTableThrows() {
        assertThatThrownBy(() -> counter.count(table())).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> counter.countAtConsistentPoint(table())).isInstanceOf(RuntimeException.class);
    }

    protected TableRef table() {
        return TableRef.of(schema(), ContractNames.unique("prc"));
    }
}

package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Contract of {@link RowCounter}, for the source and the target side alike. Every test uses fresh tables. */
public abstract class RowCounterContract {

    protected RowCounter counter;

    /** The counter under test; called before each test. */
    protected abstract RowCounter newCounter();

    /**
     * Makes {@code table} exist on this side with exactly {@code n} live rows, replacing earlier rows (on a target,
     * removed rows may be written as deleted versions). Names must be quoted: tests use spaces and double quotes.
     */
    protected abstract void givenRows(TableRef table, int n);

    /** Schema of the (source) tables the tests use. */
    protected String schema() {
        return "public";
    }

    @BeforeEach
    void openCounter() {
        counter = newCounter();
    }

    @Test
    void anEmptyTableHasNoRows() {
        TableRef t = table();
        givenRows(t, 0);

        assertThat(counter.count(t).count()).isZero();
    }

    @Test
    void countsLiveRowsAndNamesTheTable() {
        TableRef t = table();
        givenRows(t, 7);
        Instant before = Instant.now().minusSeconds(60);

        RowCount count = counter.count(t);

        assertThat(count.table()).isEqualTo(t);
        assertThat(count.count()).isEqualTo(7);
        assertThat(count.at()).isAfter(before);
    }

    @Test
    void removedRowsAreNotCounted() {
        TableRef t = table();
        givenRows(t, 10);
        givenRows(t, 3);

        assertThat(counter.count(t).count()).isEqualTo(3);
    }

    @Test
    void countsOnlyTheNamedTable() {
        TableRef a = table();
        TableRef b = table();
        givenRows(a, 2);
        givenRows(b, 5);

        assertThat(counter.count(a).count()).isEqualTo(2);
        assertThat(counter.count(b).count()).isEqualTo(5);
    }

    @Test
    void aNameThatNeedsQuotingIsCounted() {
        TableRef t = TableRef.of(schema(), "Odd \"Quoted\" " + ContractNames.unique("N"));
        givenRows(t, 4);

        assertThat(counter.count(t).count()).isEqualTo(4);
    }

    @Test
    void countingAMissingTableThrows() {
        assertThatThrownBy(() -> counter.count(table())).isInstanceOf(RuntimeException.class);
    }

    protected TableRef table() {
        return TableRef.of(schema(), ContractNames.unique("rc"));
    }
}

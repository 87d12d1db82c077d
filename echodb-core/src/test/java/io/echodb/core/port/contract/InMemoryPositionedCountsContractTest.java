package io.echodb.core.port.contract;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.PositionedRowCounter;
import io.echodb.core.port.out.RowCounterAsOf;
import io.echodb.core.testing.InMemoryPositionedCounts;
import io.echodb.core.testing.InMemoryRowCounterAsOf;
import org.junit.jupiter.api.Nested;

/** The in-memory positioned counters against their contracts. */
class InMemoryPositionedCountsContractTest {

    @Nested
    class Source extends PositionedRowCounterContract {
        private final InMemoryPositionedCounts world = new InMemoryPositionedCounts();

        @Override
        protected PositionedRowCounter newCounter() {
            return world.source();
        }

        @Override
        protected void givenRows(TableRef table, int n) {
            world.commit(table, n);
        }
    }

    @Nested
    class Target extends RowCounterAsOfContract {
        private final InMemoryRowCounterAsOf target = new InMemoryRowCounterAsOf();

        @Override
        protected RowCounterAsOf newCounter() {
            return target;
        }

        @Override
        protected void givenTable(TableRef table) {
            target.createTable(table);
        }

        @Override
        protected void givenVersion(TableRef table, int key, Lsn commit, boolean deleted) {
            target.write(table, key, commit, deleted);
        }
    }
}

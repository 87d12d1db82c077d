package io.echodb.core.port.contract;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.schema.Column;
import io.echodb.core.testing.InMemoryChangeSource;
import java.util.List;

class InMemoryChangeSourceContractTest extends ChangeSourceContract {

    private InMemoryChangeSource fake;

    @Override
    protected ChangeSource createSource() {
        fake = new InMemoryChangeSource();
        return fake;
    }

    @Override
    protected void createTable(TableRef table, List<Column> columns, List<String> keyColumns) {
        fake.createTable(table, columns, keyColumns);
    }

    @Override
    protected void renameTable(TableRef from, TableRef to) {
        fake.renameTable(from, to);
    }

    @Override
    protected void addColumn(TableRef table, Column column) {
        fake.addColumn(table, column);
    }

    @Override
    protected void commit(List<SourceOp> ops) {
        InMemoryChangeSource.Transaction tx = fake.begin();
        for (SourceOp op : ops) {
            if (op instanceof SourceOp.Insert i) {
                tx.insert(i.table(), i.row());
            } else if (op instanceof SourceOp.Update u) {
                tx.updateKey(u.table(), u.key(), u.newRow());
            } else if (op instanceof SourceOp.SetColumns s) {
                tx.set(s.table(), s.key(), s.values());
            } else if (op instanceof SourceOp.Delete d) {
                tx.delete(d.table(), d.key());
            } else if (op instanceof SourceOp.Truncate t) {
                tx.truncate(t.table());
            }
        }
        tx.commit();
    }
}

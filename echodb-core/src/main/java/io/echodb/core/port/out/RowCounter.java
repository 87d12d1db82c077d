package io.echodb.core.port.out;

import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;

/** Driven query: counts the live rows of a (source) table on one side; blocking; throws if the table is missing. */
public interface RowCounter {

    RowCount count(TableRef table);
}

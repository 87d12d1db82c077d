package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;

/**
 * Driven query: counts a mirrored (target) table's live rows as they were before a source position — each key's
 * latest version written for a transaction that committed before it, and the keys that can no longer be placed there;
 * blocking; throws when the table is missing.
 */
public interface RowCounterAsOf {

    AsOfCount countBefore(TableRef table, Lsn position);
}

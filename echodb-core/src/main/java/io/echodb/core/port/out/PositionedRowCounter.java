package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;

/**
 * Driven query: counts a source table's live rows together with the source position they were counted at, so the
 * target can be read at the same point; blocking; throws when the table is missing.
 */
public interface PositionedRowCounter {

    /**
     * Counts in one snapshot and reads the WAL position in it: cheap, but a transaction whose commit is being flushed
     * at that very instant may be on either side of the position.
     */
    PositionedCount count(TableRef table);

    /**
     * Counts at an exact consistent point: every transaction committed before the position is counted, none after
     * (slower: it waits for the transactions running at that moment to end).
     */
    PositionedCount countAtConsistentPoint(TableRef table);
}

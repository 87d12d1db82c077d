package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Driven query: digests of a table's rows in the canonical form of docs/CONSISTENCY.md, computed on one side (source
 * or target) where the data lives; blocking; never returns null; throws when the table is missing.
 *
 * <p>Rows are placed by their key hash: the first 60 bits of md5(canonical key text). A {@link HashRange} is a prefix
 * of that hash, so both sides group and filter rows identically without exchanging them.
 */
public interface RowChecksums {

    /** Bits of a key hash: the first 15 hex digits of md5, a non-negative long on every side. */
    int KEY_HASH_BITS = HashRange.KEY_HASH_BITS;

    /**
     * The columns of {@code schema} whose stored values this side can render canonically, in schema order (a target
     * may lack a column the source just added, or store it in a form that cannot be compared).
     */
    List<String> comparableColumns(TableSchema schema);

    /**
     * Row count and digest (sum of row hashes modulo 2^64) of every non-empty bucket {@code childBits} hash bits below
     * the query's ranges; every range of the query must have the same depth.
     */
    Digests bucketDigests(Query query, int childBits);

    /** Canonical key text, key hash and row hash of the rows in the query's ranges: at most {@code limit}, in no order. */
    RowDigests rowDigests(Query query, int limit);

    /** The source side's position now (PostgreSQL: the WAL insert position); empty for a target. */
    Optional<Lsn> currentPosition();

}

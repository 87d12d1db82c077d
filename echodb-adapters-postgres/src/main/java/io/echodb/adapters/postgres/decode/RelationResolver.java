package io.echodb.adapters.postgres.decode;

import io.echodb.core.schema.TableSchema;

/** Turns a Relation message into a table schema (types resolved through the catalog); called on the reader thread. */
public interface RelationResolver {

    /** The schema for {@code message}; its columns must be exactly the message's columns, in the same order. */
    TableSchema resolve(RelationMessage message);

    /** A Type message announced (or re-announced) a user type: cached information about it may be stale. */
    default void typeChanged(int typeOid) {
    }
}

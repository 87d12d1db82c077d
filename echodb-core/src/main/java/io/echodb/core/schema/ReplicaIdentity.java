package io.echodb.core.schema;

/** PostgreSQL's REPLICA IDENTITY setting: which old-row columns updates and deletes carry. */
public enum ReplicaIdentity {
    /** The primary key (PostgreSQL's default). */
    DEFAULT,
    /** A unique index chosen with USING INDEX. */
    INDEX,
    /** All columns. */
    FULL,
    /** Nothing: updates and deletes cannot be identified. */
    NOTHING
}

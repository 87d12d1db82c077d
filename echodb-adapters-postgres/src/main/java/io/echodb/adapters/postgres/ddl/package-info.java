/**
 * Durable DDL capture for the control plane.
 *
 * <h2>What is installed ({@link io.echodb.adapters.postgres.ddl.DdlCaptureInstaller})</h2>
 * In the capture schema (default {@code _echodb}):
 * <ul>
 *   <li>{@code ddl_outbox(position bigserial PK, event_type, schema_name, table_name, old_schema, old_name, command_tag,
 *       object_identity, is_partition, occurred_at default clock_timestamp(), txid default txid_current())} with
 *       {@code event_type} one of {@code created}, {@code altered}, {@code renamed}, {@code dropped}, {@code rewritten}
 * (existing rows changed without row changes, or the table lost its replica identity; {@code command_tag} says why);</li>
 *   <li>{@code ddl_cursor(consumer PK, position, updated_at)}: acknowledged position per consumer;</li>
 *   <li>{@code known_tables(rel_oid PK, schema_name, table_name, is_partition)}: last known name per table OID, which
 *       is how a rename or {@code SET SCHEMA} is told apart from other ALTER TABLEs ({@code ddl_command_end} only
 *       gives the new name) and how a drop knows it removed a partition; the catalog sweep also keeps the columns'
 *       types, the storage file node and the replica-identity problem there;</li>
 *   <li>{@code sweep_state(id, seeded_at, last_sweep_at, generation)}: one row once the catalog sweep recorded the
 *       catalog, with a generation bumped by each sweep that changed {@code known_tables};</li>
 *   <li>functions {@code emit_ddl_event}, {@code on_ddl_command_end}, {@code on_sql_drop}: plpgsql, no SECURITY
 *       DEFINER, {@code SET search_path = pg_catalog, pg_temp}; names come from {@code pg_class}/{@code pg_namespace}
 *       by OID (or from {@code pg_event_trigger_dropped_objects()}), are passed as values only, and the seed-compatible
 *       payload is built with {@code json_build_object};</li>
 *   <li>event triggers {@code echodb_ddl_end_trigger} (ddl_command_end, tags CREATE TABLE, CREATE TABLE AS,
 *       SELECT INTO, ALTER TABLE — which covers partition DDL: PARTITION OF is a CREATE TABLE, ATTACH/DETACH an ALTER
 *       TABLE of the parent) and {@code echodb_sql_drop_trigger} (sql_drop, every tag, so DROP SCHEMA CASCADE,
 *       DROP OWNED and DROP EXTENSION are seen), both {@code ENABLE ALWAYS} so DDL under
 *       {@code session_replication_role = replica} is captured too.</li>
 * </ul>
 * Each event notifies channel {@code echodb_ddl} with its position and, for the seed's consumers, created/dropped
 * tables also notify {@code peerdb_create_mirror} / {@code peerdb_drop_mirror} with {@code {"schema": ..., "table": ...}}.
 * The seed's own triggers ({@code peerdb_auto_mirror_trigger}, {@code peerdb_auto_mirror_drop_trigger}) are left in
 * place unless {@link io.echodb.adapters.postgres.ddl.DdlCaptureSettings#dropLegacySeedTriggers()} is set.
 * Reported: ordinary and partitioned tables (relkind r, p), including unlogged ones; not reported: temporary tables,
 * views, materialized views, foreign tables, anything in system schemas or in the capture schema.
 *
 * <h2>Privileges</h2>
 * Creating event triggers needs a superuser in PostgreSQL (all versions through 18; no grantable privilege exists).
 * Amazon RDS/Aurora's {@code rds_superuser} and Google Cloud SQL's {@code cloudsqlsuperuser} may create them. Without
 * it, {@code install()} throws {@link io.echodb.adapters.postgres.ddl.DdlCapturePrivilegeException}, whose
 * {@code adminSql()} an administrator can run once (it also grants the worker role what it needs); later installs by
 * the unprivileged worker keep that installation. Because the trigger functions run as whoever issues the DDL, PUBLIC
 * gets INSERT on the outbox, USAGE on its sequence and DML on {@code known_tables}; so any role can append (forge)
 * events. Consumers must treat events as hints and check the catalog (the reconciler's sweep is the guarantee).
 *
 * <h2>Without event triggers ({@link io.echodb.adapters.postgres.ddl.CatalogSweep})</h2>
 * {@link io.echodb.adapters.postgres.ddl.DdlCaptureInstaller#install(DdlCaptureMode)} with {@code AUTO} falls back, and
 * with {@code CATALOG} goes straight, to installing the same tables and functions without event triggers (CREATE on the
 * database is enough). A {@link io.echodb.adapters.postgres.ddl.CatalogSweep} then compares the catalog with
 * {@code known_tables} every interval and writes the events the triggers would have written
 * ({@link io.echodb.adapters.postgres.ddl.CatalogDiff}); the guard runs at the sweep instead of inside the DDL.
 *
 * <h2>Order and durability ({@link io.echodb.adapters.postgres.ddl.PgDdlEventSource})</h2>
 * Events are rows written in the DDL's own transaction: they exist exactly when the DDL committed, and survive worker
 * restarts and leader changes. Positions come from a sequence, so they are taken in statement order but may commit out
 * of order; writers therefore hold a shared transaction-level advisory lock from taking a position to commit, and the
 * reader only reads while it can take that lock exclusively (without waiting). A position once passed is never
 * followed by a smaller one. An open DDL transaction holds reads back until it ends. Events about one table are in
 * that table's commit order (DDL on a table holds its lock until commit). Partition events are left out by default
 * ({@link io.echodb.adapters.postgres.ddl.DdlSourceSettings#includePartitions()}); the outbox keeps them, flagged.
 * Not captured: DDL while {@code event_triggers = off} (PostgreSQL 17+) or in single-user mode — the reconciler's
 * periodic sweep covers those.
 */
package io.echodb.adapters.postgres.ddl;

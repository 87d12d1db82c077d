/**
 * How EchoDB talks to PostgreSQL over pgjdbc, shared by every other package of this adapter: the connection factory
 * (HikariCP pool for short calls, dedicated and replication connections to the server itself, a transaction-mode
 * pooler in front when configured), connection and pool settings, TLS refusals, the replication settings (slot,
 * publication, timeouts), SQL quoting and error translation. It depends on nothing else in the adapter, so no package
 * cycle can pass through it (ArchUnit's "no cycles between packages").
 */
package io.echodb.adapters.postgres.jdbc;

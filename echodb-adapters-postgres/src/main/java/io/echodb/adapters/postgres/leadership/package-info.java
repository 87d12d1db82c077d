/**
 * Leadership without extra services: a session-level advisory lock on the source database
 * ({@link io.echodb.adapters.postgres.leadership.PgAdvisoryLeadership}). Objects: the sequence
 * {@code _echodb.leader_token_seq} (fencing tokens; created on first use when the role may, else create it once as an
 * administrator) and the advisory lock {@code pg_try_advisory_lock(<FNV-1a 64 of the lock name>)}, visible in
 * {@code pg_locks} with {@code locktype = 'advisory'}, {@code objsubid = 1}; the holding session's
 * {@code application_name} is {@code echodb-leader:<worker id>}.
 */
package io.echodb.adapters.postgres.leadership;

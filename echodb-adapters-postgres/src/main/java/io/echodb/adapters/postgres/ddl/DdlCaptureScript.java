package io.echodb.adapters.postgres.ddl;

import static io.echodb.adapters.postgres.jdbc.PgQuoting.dollarQuote;
import static io.echodb.adapters.postgres.jdbc.PgQuoting.ident;
import static io.echodb.adapters.postgres.jdbc.PgQuoting.literal;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL that installs DDL capture. Table and schema names of captured events only ever travel as values (record
 * fields, bind-free plpgsql variables, {@code json_build_object} arguments); the only names spliced into SQL text are
 * the configured capture names, quoted with {@link PgQuoting}.
 *
 * <p>Longer than the project's ~400-line guide on purpose: it is the text of one SQL script (tables, functions and
 * event triggers that call each other), kept in one place so that it can be read and reviewed as the script it is.
 */
final class DdlCaptureScript {

    static final String OUTBOX = "ddl_outbox";
    static final String CURSOR = "ddl_cursor";
    static final String KNOWN_TABLES = "known_tables";
    static final String OUTBOX_SEQUENCE = "ddl_outbox_position_seq";
    static final String EMIT_FUNCTION = "emit_ddl_event";
    static final String END_FUNCTION = "on_ddl_command_end";
    static final String DROP_FUNCTION = "on_sql_drop";
    static final String REWRITE_FUNCTION = "on_table_rewrite";
    static final String EMIT_REWRITE_FUNCTION = "emit_rewrite_event";
    static final String GUARD_FUNCTION = "guard_publication";
    static final String MARK_RENAMED_COLUMNS_FUNCTION = "mark_renamed_columns";
    static final String MARK_REWRITTEN_FUNCTION = "mark_rewritten";
    static final String PARTITION_TRUNCATE_FUNCTION = "on_partition_truncate";
    static final String WATCH_PARTITIONS_FUNCTION = "watch_partition_truncates";
    static final String SWEEP_STATE = "sweep_state";
    /** Command tags whose {@code ddl_command_end} can create or change a table. */
    static final List<String> END_TAGS = List.of("CREATE TABLE", "CREATE TABLE AS", "SELECT INTO", "ALTER TABLE",
            "ALTER TYPE", "CREATE INDEX", "ALTER INDEX");

    private final DdlCaptureSettings settings;
    private final String s;

    DdlCaptureScript(DdlCaptureSettings settings) {
        this.settings = settings;
        this.s = ident(settings.schema());
    }

    String qualified(String object) {
        return s + "." + ident(object);
    }

    /** Every statement of an install with event triggers, in order; run them in one transaction. */
    List<String> installStatements() {
        List<String> sql = new ArrayList<>(objectStatements());
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.endTriggerName()));
        sql.add("CREATE EVENT TRIGGER " + ident(settings.endTriggerName()) + " ON ddl_command_end WHEN TAG IN ("
                + String.join(", ", END_TAGS.stream().map(PgQuoting::literal).toList()) + ") EXECUTE FUNCTION "
                + qualified(END_FUNCTION) + "()");
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.dropTriggerName()));
        // No tag filter: tables also disappear through DROP SCHEMA ... CASCADE, DROP OWNED, DROP EXTENSION.
        sql.add("CREATE EVENT TRIGGER " + ident(settings.dropTriggerName()) + " ON sql_drop EXECUTE FUNCTION "
                + qualified(DROP_FUNCTION) + "()");
        // ALWAYS: also capture DDL run under session_replication_role = replica (migration and replication tools).
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(rewriteTriggerName()));
        sql.add("CREATE EVENT TRIGGER " + ident(rewriteTriggerName()) + " ON table_rewrite EXECUTE FUNCTION "
                + qualified(REWRITE_FUNCTION) + "()");
        sql.add("ALTER EVENT TRIGGER " + ident(settings.endTriggerName()) + " ENABLE ALWAYS");
        sql.add("ALTER EVENT TRIGGER " + ident(settings.dropTriggerName()) + " ENABLE ALWAYS");
        sql.add("ALTER EVENT TRIGGER " + ident(rewriteTriggerName()) + " ENABLE ALWAYS");
        if (settings.dropLegacySeedTriggers()) {
            sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(DdlCaptureSettings.SEED_CREATE_TRIGGER));
            sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(DdlCaptureSettings.SEED_DROP_TRIGGER));
        }
        // The trigger functions run as whoever issues the DDL (no SECURITY DEFINER), so every role that may create
        // tables needs to append to the outbox and maintain known_tables; nobody but the owner may read or delete.
        sql.add("GRANT USAGE ON SCHEMA " + s + " TO PUBLIC");
        sql.add("GRANT INSERT ON " + qualified(OUTBOX) + " TO PUBLIC");
        sql.add("GRANT USAGE ON SEQUENCE " + qualified(OUTBOX_SEQUENCE) + " TO PUBLIC");
        sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + qualified(KNOWN_TABLES) + " TO PUBLIC");
        sql.add(seedKnownTables());
        sql.add("SELECT " + qualified(WATCH_PARTITIONS_FUNCTION) + "(c.oid) FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p' AND NOT "
                + ignoredSchema("n.nspname"));
        sql.add("DELETE FROM " + qualified(KNOWN_TABLES) + " k WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = k.rel_oid)");
        return sql;
    }

    /**
     * The statements of an install without event triggers (the catalog sweep writes the outbox): the same tables and
     * functions, no grants to PUBLIC (only the worker writes), and {@code known_tables} left as it is, because the
     * sweep finds what changed while no worker ran by comparing it with the catalog.
     */
    List<String> catalogModeStatements() {
        return objectStatements();
    }

    /** Tables and functions shared by both capture modes. */
    private List<String> objectStatements() {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE SCHEMA IF NOT EXISTS " + s);
        sql.add("CREATE TABLE IF NOT EXISTS " + qualified(OUTBOX) + " ("
                + "position bigserial PRIMARY KEY, "
                + "event_type text NOT NULL, "
                + "schema_name text NOT NULL, "
                + "table_name text NOT NULL, "
                + "old_schema text, "
                + "old_name text, "
                + "command_tag text, "
                + "object_identity text, "
                + "is_partition boolean NOT NULL DEFAULT false, "
                + "occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(), "
                + "txid bigint NOT NULL DEFAULT txid_current())");
        sql.add("CREATE INDEX IF NOT EXISTS " + ident(OUTBOX + "_occurred_at_idx") + " ON " + qualified(OUTBOX) + " (occurred_at)");
        sql.add("CREATE TABLE IF NOT EXISTS " + qualified(CURSOR) + " ("
                + "consumer text PRIMARY KEY, "
                + "position bigint NOT NULL DEFAULT 0, "
                + "updated_at timestamptz NOT NULL DEFAULT now())");
        // Last known name of every table, keyed by OID: ddl_command_end only reports the new name, so this is how a
        // rename (or a move to another schema) is told from other ALTER TABLEs, and how a drop knows it was a partition.
        sql.add("CREATE TABLE IF NOT EXISTS " + qualified(KNOWN_TABLES) + " ("
                + "rel_oid oid PRIMARY KEY, "
                + "schema_name text NOT NULL, "
                + "table_name text NOT NULL, "
                + "is_partition boolean NOT NULL DEFAULT false)");
        // Added later: the partition's root (a dropped partition's rows vanish from its root without row changes),
        // and the columns whose existing rows read a default nobody wrote (ADD COLUMN ... DEFAULT without a rewrite).
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS root_oid oid");
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS missing_attnums int2[] NOT NULL"
                + " DEFAULT '{}'");
        // Added later: the live columns (attnum, name) and every name dropped so far. A column renamed, or added again
        // under a dropped column's name, has existing rows whose values were never sent under that name.
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS col_attnums int2[] NOT NULL"
                + " DEFAULT '{}'");
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS col_names text[] NOT NULL"
                + " DEFAULT '{}'");
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS dropped_names text[] NOT NULL"
                + " DEFAULT '{}'");
        // Kept by the catalog sweep only (NULL: not known yet, nothing to compare): the live columns' types, the
        // storage file (a rewrite gives the table a new one) and why the replica identity is unusable ('' when usable).
        // The event triggers reset them when they change a row, so a later sweep records before comparing.
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS col_types text[]");
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS file_node oid");
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS identity_problem text");
        // Added later, a sweep field too: relnatts, the column numbers handed out (dropped columns included).
        sql.add("ALTER TABLE " + qualified(KNOWN_TABLES) + " ADD COLUMN IF NOT EXISTS natts int2");
        // One row once the catalog sweep has recorded the catalog: later installs must not record it again, or DDL
        // done while no worker ran would never be reported.
        sql.add("CREATE TABLE IF NOT EXISTS " + qualified(SWEEP_STATE) + " ("
                + "id int PRIMARY KEY CHECK (id = 1), "
                + "seeded_at timestamptz NOT NULL DEFAULT now(), "
                + "last_sweep_at timestamptz)");
        // Bumped by every sweep that changes known_tables: a worker re-reads the record only when another changed it.
        sql.add("ALTER TABLE " + qualified(SWEEP_STATE) + " ADD COLUMN IF NOT EXISTS generation bigint NOT NULL DEFAULT 0");
        sql.add(emitFunction());
        sql.add(markRewrittenFunction());
        sql.add(emitRewriteFunction());
        sql.add(guardFunction());
        sql.add(markRenamedColumnsFunction());
        sql.add(endFunction());
        sql.add(dropFunction());
        sql.add(rewriteFunction());
        sql.add(partitionTruncateFunction());
        sql.add(watchPartitionsFunction());
        return sql;
    }

    /** Grants a non-superuser worker role needs once an administrator has installed capture. */
    List<String> workerGrants(String workerRole) {
        String role = ident(workerRole);
        return List.of(
                "GRANT USAGE, CREATE ON SCHEMA " + s + " TO " + role,
                "GRANT SELECT, DELETE ON " + qualified(OUTBOX) + " TO " + role,
                "GRANT SELECT, INSERT, UPDATE ON " + qualified(CURSOR) + " TO " + role,
                "GRANT SELECT ON " + qualified(KNOWN_TABLES) + " TO " + role);
    }

    List<String> uninstallStatements(boolean dropSchema) {
        List<String> sql = new ArrayList<>();
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.endTriggerName()));
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.dropTriggerName()));
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(rewriteTriggerName()));
        if (dropSchema) {
            sql.add("DROP SCHEMA IF EXISTS " + s + " CASCADE");
        }
        return sql;
    }

    /** The table_rewrite trigger: named after the end trigger, so two installs in one database stay apart. */
    String rewriteTriggerName() {
        return endTriggerNameWith("_rewrite");
    }

    /** The end trigger's name with {@code suffix}, shortened to fit PostgreSQL's 63-byte identifiers. */
    private String endTriggerNameWith(String suffix) {
        String base = settings.endTriggerName();
        return (base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base) + suffix;
    }

    private static String missingAttnums(String oidExpr) {
        return "coalesce((SELECT array_agg(a.attnum ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = " + oidExpr + " AND a.attnum > 0 AND a.atthasmissing AND NOT a.attisdropped),"
                + " '{}')";
    }

    private static String liveColumns(String what, String type, String oidExpr) {
        return "coalesce((SELECT array_agg(a." + what + " ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = " + oidExpr + " AND a.attnum > 0 AND NOT a.attisdropped), '{}'::" + type + ")";
    }

    private String seedKnownTables() {
        return "INSERT INTO " + qualified(KNOWN_TABLES) + " (rel_oid, schema_name, table_name, is_partition, root_oid,"
                + " missing_attnums, col_attnums, col_names) "
                + "SELECT c.oid, n.nspname, c.relname, c.relispartition,"
                + " CASE WHEN c.relispartition THEN pg_catalog.pg_partition_root(c.oid) END, " + missingAttnums("c.oid") + ", "
                + liveColumns("attnum", "int2[]", "c.oid") + ", " + liveColumns("attname::text", "text[]", "c.oid") + " "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' "
                + "AND n.nspname NOT IN ('pg_catalog', 'information_schema', " + literal(settings.schema()) + ") "
                + "AND left(n.nspname, 8) NOT IN ('pg_temp_', 'pg_toast') "
                + "ON CONFLICT (rel_oid) DO UPDATE SET schema_name = EXCLUDED.schema_name, "
                + "table_name = EXCLUDED.table_name, is_partition = EXCLUDED.is_partition, root_oid = EXCLUDED.root_oid,"
                + " missing_attnums = EXCLUDED.missing_attnums, col_attnums = EXCLUDED.col_attnums,"
                + " col_names = EXCLUDED.col_names, col_types = NULL, file_node = NULL, identity_problem = NULL";
    }

    /** Filters schemas that are never reported: system schemas, temp/toast schemas and the capture schema itself. */
    String ignoredSchema(String expr) {
        return "(" + expr + " IN ('pg_catalog', 'information_schema', " + literal(settings.schema()) + ") OR left("
                + expr + ", 8) IN ('pg_temp_', 'pg_toast'))";
    }

    private String emitFunction() {
        int[] keys = settings.barrierLockKeys();
        StringBuilder body = new StringBuilder();
        body.append("""
                DECLARE
                  pos bigint;
                BEGIN
                  -- Held shared until commit; the reader only reads while it can take this lock exclusively, i.e. while
                  -- no writer is between taking a position and committing, so readers never skip a position that
                  -- commits later.
                """);
        body.append("  PERFORM pg_advisory_xact_lock_shared(").append(keys[0]).append(", ").append(keys[1]).append(");\n");
        body.append("  pos := nextval(").append(literal(qualified(OUTBOX_SEQUENCE))).append("::regclass);\n");
        body.append("  INSERT INTO ").append(qualified(OUTBOX)).append("""
                 (position, event_type, schema_name, table_name, old_schema, old_name,
                    command_tag, object_identity, is_partition)
                  VALUES (pos, p_event, p_schema, p_table, p_old_schema, p_old_name, p_tag, p_identity, p_is_partition);
                """);
        body.append("  PERFORM pg_notify(").append(literal(settings.notifyChannel())).append(", pos::text);\n");
        if (settings.seedCompatNotifications()) {
            body.append("  IF p_event = 'created' THEN\n    PERFORM pg_notify(")
                    .append(literal(DdlCaptureSettings.SEED_CREATE_CHANNEL))
                    .append(", json_build_object('schema', p_schema, 'table', p_table)::text);\n")
                    .append("  ELSIF p_event = 'dropped' THEN\n    PERFORM pg_notify(")
                    .append(literal(DdlCaptureSettings.SEED_DROP_CHANNEL))
                    .append(", json_build_object('schema', p_schema, 'table', p_table)::text);\n")
                    .append("  END IF;\n");
        }
        body.append("  RETURN pos;\nEND\n");
        return "CREATE OR REPLACE FUNCTION " + qualified(EMIT_FUNCTION) + "(p_event text, p_schema text, p_table text, "
                + "p_old_schema text, p_old_name text, p_tag text, p_identity text, p_is_partition boolean) "
                + "RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body.toString());
    }

    private String endFunction() {
        String known = qualified(KNOWN_TABLES);
        String body = """
                DECLARE
                  cmd record;
                  rel record;
                  prev record;
                  was_known boolean;
                  kind text;
                  used record;
                  missing int2[];
                  cur_nums int2[];
                  cur_names text[];
                  dropped text[] := ARRAY[]::text[];
                  renamed text;
                  renamed_from text[];
                  renamed_to text[];
                  readded text;
                  moved int;
                  handled oid[] := ARRAY[]::oid[];
                BEGIN
                  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                    IF cmd.classid = 'pg_catalog.pg_type'::regclass AND cmd.command_tag = 'ALTER TYPE' THEN
                      -- e.g. ALTER TYPE ... RENAME VALUE changes the stored values of every column of the type
                      FOR used IN SELECT DISTINCT a.attrelid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          WHERE c.relkind IN ('r', 'p') AND NOT a.attisdropped AND a.attnum > 0
                            AND a.atttypid IN (cmd.objid, (SELECT t.typarray FROM pg_type t WHERE t.oid = cmd.objid)) LOOP
                        PERFORM %EMIT_REWRITE%(used.attrelid, 'ALTER TYPE ' || cmd.object_identity);
                      END LOOP;
                      CONTINUE;
                    END IF;
                    -- 'table column' covers ALTER TABLE ... RENAME COLUMN, whose object is the column
                    CONTINUE WHEN cmd.classid <> 'pg_catalog.pg_class'::regclass
                      OR cmd.object_type NOT IN ('table', 'table column');
                    -- one event per table per command (CREATE TABLE with a foreign key also reports an ALTER TABLE)
                    CONTINUE WHEN cmd.objid = ANY (handled);
                    -- names come from the catalog by OID, never from parsing command text
                    SELECT c.relname::text AS relname, n.nspname::text AS nspname, c.relkind, c.relpersistence,
                           c.relispartition
                      INTO rel
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = cmd.objid;
                    CONTINUE WHEN NOT FOUND;
                    CONTINUE WHEN rel.relkind NOT IN ('r', 'p') OR rel.relpersistence = 't'
                      OR %IGNORED%;
                    handled := handled || cmd.objid;
                    SELECT k.schema_name, k.table_name, k.missing_attnums, k.col_attnums, k.col_names, k.dropped_names
                      INTO prev FROM %KNOWN% k
                     WHERE k.rel_oid = cmd.objid;
                    was_known := FOUND;
                    missing := %MISSING%;
                    cur_nums := %ATTNUMS%;
                    cur_names := %NAMES%;
                    renamed := NULL;
                    readded := NULL;
                    dropped := ARRAY[]::text[];
                    IF was_known AND cardinality(prev.col_attnums) > 0
                       AND cmd.command_tag NOT IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') THEN
                      SELECT string_agg(quote_ident(p.name) || ' -> ' || quote_ident(c.name), ', '),
                             array_agg(p.name ORDER BY p.num), array_agg(c.name ORDER BY p.num)
                        INTO renamed, renamed_from, renamed_to
                        FROM unnest(prev.col_attnums, prev.col_names) AS p(num, name)
                        JOIN unnest(cur_nums, cur_names) AS c(num, name) ON c.num = p.num
                       WHERE c.name <> p.name;
                      SELECT coalesce(array_agg(DISTINCT n), ARRAY[]::text[]) INTO dropped
                        FROM (SELECT unnest(prev.dropped_names) AS n
                              UNION SELECT p.name FROM unnest(prev.col_attnums, prev.col_names) AS p(num, name)
                                     WHERE NOT (p.num = ANY (cur_nums))) d;
                      SELECT string_agg(quote_ident(c.name), ', ') INTO readded
                        FROM unnest(cur_nums, cur_names) AS c(num, name)
                       WHERE NOT (c.num = ANY (prev.col_attnums)) AND c.name = ANY (dropped);
                    END IF;
                    IF cmd.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') THEN
                      kind := 'created';
                    ELSIF was_known AND (prev.schema_name <> rel.nspname OR prev.table_name <> rel.relname) THEN
                      kind := 'renamed';
                    ELSE
                      kind := 'altered';
                    END IF;
                    INSERT INTO %KNOWN% AS k (rel_oid, schema_name, table_name, is_partition, root_oid, missing_attnums,
                        col_attnums, col_names, dropped_names)
                      VALUES (cmd.objid, rel.nspname, rel.relname, rel.relispartition,
                        CASE WHEN rel.relispartition THEN pg_partition_root(cmd.objid) END, missing,
                        cur_nums, cur_names, dropped)
                      ON CONFLICT (rel_oid) DO UPDATE SET schema_name = EXCLUDED.schema_name,
                        table_name = EXCLUDED.table_name, is_partition = EXCLUDED.is_partition,
                        root_oid = EXCLUDED.root_oid, missing_attnums = EXCLUDED.missing_attnums,
                        col_attnums = EXCLUDED.col_attnums, col_names = EXCLUDED.col_names,
                        dropped_names = EXCLUDED.dropped_names, col_types = NULL, file_node = NULL,
                        identity_problem = NULL, natts = NULL;
                    IF renamed IS NOT NULL
                       AND NOT %MARK_RENAMED%(cmd.objid, rel.nspname, rel.relname, renamed_from, renamed_to) THEN
                      -- existing rows hold their values under the new name, and the stream never sends them: without
                      -- a marker in the stream (where the target renames its columns in place), copy the table again
                      PERFORM %EMIT_REWRITE%(cmd.objid, 'RENAME COLUMN ' || renamed);
                    END IF;
                    IF readded IS NOT NULL THEN
                      -- the target may still hold the dropped column's values under this name
                      PERFORM %EMIT_REWRITE%(cmd.objid, 'column ' || readded || ' added again after a drop');
                    END IF;
                    IF kind = 'altered' AND was_known AND NOT (missing <@ prev.missing_attnums) THEN
                      -- ADD COLUMN ... DEFAULT without a rewrite: existing rows now read the default, unsent
                      PERFORM %EMIT_REWRITE%(cmd.objid, 'ADD COLUMN with a default');
                    END IF;
                    IF rel.relkind = 'p' OR rel.relispartition THEN
                      -- a TRUNCATE of one partition is not published through the root: watch the partitions
                      PERFORM %WATCH%(coalesce(pg_partition_root(cmd.objid), cmd.objid));
                    END IF;
                    IF rel.relkind = 'p' AND kind = 'altered' THEN
                      -- ATTACH / DETACH PARTITION is reported on the parent: refresh the children's partition flag;
                      -- their rows joined or left the parent without row changes
                      WITH changed AS (
                        UPDATE %KNOWN% k SET is_partition = c.relispartition,
                               root_oid = CASE WHEN c.relispartition THEN pg_partition_root(c.oid) END
                          FROM pg_class c WHERE c.oid = k.rel_oid AND k.is_partition <> c.relispartition
                        RETURNING 1)
                      SELECT count(*) INTO moved FROM changed;
                      IF moved > 0 THEN
                        PERFORM %EMIT_REWRITE%(cmd.objid, 'partition attached or detached');
                      END IF;
                    END IF;
                    PERFORM %EMIT%(kind, rel.nspname, rel.relname,
                      CASE WHEN kind = 'renamed' THEN prev.schema_name END,
                      CASE WHEN kind = 'renamed' THEN prev.table_name END,
                      cmd.command_tag, cmd.object_identity, rel.relispartition);
                  END LOOP;
                  PERFORM %GUARD%();
                END
                """;
        body = fill(body, Map.of("IGNORED", ignoredSchema("rel.nspname"), "KNOWN", known, "EMIT", qualified(EMIT_FUNCTION),
                "EMIT_REWRITE", qualified(EMIT_REWRITE_FUNCTION), "MISSING", missingAttnums("cmd.objid"),
                "ATTNUMS", liveColumns("attnum", "int2[]", "cmd.objid"), "NAMES", liveColumns("attname::text", "text[]", "cmd.objid"),
                "GUARD", qualified(GUARD_FUNCTION), "WATCH", qualified(WATCH_PARTITIONS_FUNCTION),
                "MARK_RENAMED", qualified(MARK_RENAMED_COLUMNS_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(END_FUNCTION) + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /**
     * Records that DDL changed existing rows of {@code p_oid}'s mirrored table (its partition root, if it is a
     * partition) without row changes; the worker copies the table again.
     */
    private String emitRewriteFunction() {
        String body = """
                DECLARE
                  root oid;
                  rel record;
                BEGIN
                  root := coalesce(pg_partition_root(p_oid), p_oid);
                  SELECT c.relname::text AS relname, n.nspname::text AS nspname, c.relkind, c.relpersistence INTO rel
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = root;
                  IF NOT FOUND OR rel.relkind NOT IN ('r', 'p') OR rel.relpersistence = 't' OR %IGNORED% THEN
                    RETURN;
                  END IF;
                  PERFORM %EMIT%('rewritten', rel.nspname, rel.relname, NULL, NULL, p_reason, NULL, false);
                  PERFORM %MARK%(root, rel.nspname, rel.relname, p_reason);
                END
                """;
        body = fill(body, Map.of("IGNORED", ignoredSchema("rel.nspname"), "EMIT", qualified(EMIT_FUNCTION),
                "MARK", qualified(MARK_REWRITTEN_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(EMIT_REWRITE_FUNCTION) + "(p_oid oid, p_reason text) RETURNS void"
                + " LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /** Statement-level AFTER TRUNCATE trigger on leaf partitions: their TRUNCATE is not in the stream. */
    String partitionTruncateTriggerName() {
        return endTriggerNameWith("_truncate");
    }

    private String partitionTruncateFunction() {
        String body = """
                BEGIN
                  PERFORM %EMIT_REWRITE%(TG_RELID, 'TRUNCATE of partition ' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
                  RETURN NULL;
                END
                """;
        body = fill(body, Map.of("EMIT_REWRITE", qualified(EMIT_REWRITE_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(PARTITION_TRUNCATE_FUNCTION) + "() RETURNS trigger LANGUAGE plpgsql"
                + " SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /**
     * Puts the partition-truncate trigger on every leaf partition of {@code p_root} that lacks it. Runs as the DDL's
     * issuer (the partitions' owner); a failure is logged, never raised, so the application's DDL never fails.
     */
    private String watchPartitionsFunction() {
        String body = """
                DECLARE
                  leaf record;
                BEGIN
                  FOR leaf IN SELECT t.relid FROM pg_partition_tree(p_root) t JOIN pg_class c ON c.oid = t.relid
                               WHERE t.isleaf AND c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_trigger g
                                 WHERE g.tgrelid = t.relid AND g.tgname = %TRIGGER%) LOOP
                    BEGIN
                      EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                        %TRIGGER%, leaf.relid::regclass, %FUNCTION%);
                    EXCEPTION WHEN OTHERS THEN
                      RAISE LOG 'EchoDB: could not watch TRUNCATE of partition %: %', leaf.relid::regclass, SQLERRM;
                    END;
                  END LOOP;
                END
                """;
        body = fill(body, Map.of("TRIGGER", literal(partitionTruncateTriggerName()),
                "FUNCTION", literal(qualified(PARTITION_TRUNCATE_FUNCTION))));
        return "CREATE OR REPLACE FUNCTION " + qualified(WATCH_PARTITIONS_FUNCTION) + "(p_root oid) RETURNS void"
                + " LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    private String rewriteFunction() {
        String body = """
                BEGIN
                  PERFORM %EMIT_REWRITE%(pg_event_trigger_table_rewrite_oid(), tg_tag || ' rewrote the table');
                END
                """;
        body = fill(body, Map.of("EMIT_REWRITE", qualified(EMIT_REWRITE_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(REWRITE_FUNCTION) + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /**
     * Runs at the end of every captured DDL, inside its transaction: a member of the guarded publication that lost its
     * replica identity (primary key dropped, made deferrable, identity set to NOTHING, a partition without one) is
     * taken out of the publication before the transaction commits, so no later UPDATE or DELETE of the application
     * fails. SECURITY DEFINER: the application's role need not own the publication. It never fails the DDL: when the
     * publication cannot be changed it logs, and the worker is told either way (a 'rewritten' event: the mirror copies
     * again and finds the table unsupported).
     */
    private String guardFunction() {
        String publication = settings.guardedPublication();
        String body;
        if (publication == null) {
            body = "BEGIN\n  RETURN;\nEND\n";
        } else {
            body = """
                    DECLARE
                      r record;
                      problem text;
                    BEGIN
                      FOR r IN SELECT pr.prrelid AS relid, n.nspname::text AS nspname, c.relname::text AS relname
                                 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                                 JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                                WHERE p.pubname = %PUB% LOOP
                        problem := %PROBLEM%;
                        CONTINUE WHEN problem IS NULL;
                        BEGIN
                          EXECUTE format('ALTER PUBLICATION %I DROP TABLE ONLY %I.%I', %PUB%, r.nspname, r.relname);
                          RAISE LOG 'EchoDB: removed %.% from publication % (it %)', r.nspname, r.relname, %PUB%, problem;
                        EXCEPTION WHEN OTHERS THEN
                          RAISE LOG 'EchoDB: could not remove %.% from publication %: %', r.nspname, r.relname, %PUB%, SQLERRM;
                        END;
                        PERFORM %EMIT_REWRITE%(r.relid, 'lost its replica identity: it ' || problem);
                      END LOOP;
                    END
                    """;
            body = fill(body, Map.of("PUB", literal(publication), "PROBLEM",
                    io.echodb.adapters.postgres.catalog.ReplicaIdentityCheck.problemSql("r.relid"),
                    "EMIT_REWRITE", qualified(EMIT_REWRITE_FUNCTION)));
        }
        return "CREATE OR REPLACE FUNCTION " + qualified(GUARD_FUNCTION) + "() RETURNS void LANGUAGE plpgsql"
                + " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /**
     * Writes a stream marker for a RENAME COLUMN into the WAL, inside the DDL's transaction
     * ({@code pg_logical_emit_message}, transactional), so the worker renames the target's columns exactly between the
     * changes made before and after it (format: {@code io.echodb.adapters.postgres.decode.StreamMarker}). True when
     * written; false — never an error for the DDL — where it cannot be (PostgreSQL before 14, whose pgoutput cannot
     * pass messages; wal_level below logical): the caller then makes the mirror copy the table again. SECURITY
     * DEFINER: emitting a message needs more rights than the application's role has.
     */
    private String markRenamedColumnsFunction() {
        String body = """
                DECLARE
                  pairs text := '';
                BEGIN
                  IF current_setting('server_version_num')::int < 140000 THEN
                    RETURN false;
                  END IF;
                  -- Callable by anyone (the trigger runs as the DDL's user): only for a table the caller may alter, and
                  -- only renames the catalog shows (new names live, old names gone), so a marker cannot be forged.
                  IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = p_oid), 'USAGE') THEN
                    RETURN false;
                  END IF;
                  FOR i IN 1 .. cardinality(p_from) LOOP
                    IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p_oid AND a.attnum > 0
                                     AND NOT a.attisdropped AND a.attname = p_to[i])
                       OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p_oid AND a.attnum > 0
                                    AND NOT a.attisdropped AND a.attname = p_from[i] AND p_from[i] <> ALL (p_to)) THEN
                      RETURN false;
                    END IF;
                  END LOOP;
                  FOR i IN 1 .. cardinality(p_from) LOOP
                    pairs := pairs || ' ' || encode(convert_to(p_from[i], 'UTF8'), 'hex') || ':'
                             || encode(convert_to(p_to[i], 'UTF8'), 'hex');
                  END LOOP;
                  PERFORM pg_logical_emit_message(true, 'echodb.ddl', 'rename_columns ' || p_oid::bigint || ' '
                    || encode(convert_to(p_schema, 'UTF8'), 'hex') || '.' || encode(convert_to(p_table, 'UTF8'), 'hex')
                    || pairs);
                  RETURN true;
                EXCEPTION WHEN OTHERS THEN
                  RAISE LOG 'EchoDB: no stream marker for the column rename of %.% (%); it is copied again',
                    p_schema, p_table, SQLERRM;
                  RETURN false;
                END
                """;
        return "CREATE OR REPLACE FUNCTION " + qualified(MARK_RENAMED_COLUMNS_FUNCTION)
                + "(p_oid oid, p_schema text, p_table text, p_from text[], p_to text[]) RETURNS boolean"
                + " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /**
     * Writes a stream marker for DDL that changed rows without row changes into the WAL, inside the DDL's transaction
     * (format: {@code io.echodb.adapters.postgres.decode.StreamMarker}): the mirror following the relation copies the
     * table again even when the table was renamed before the DDL outbox's event was handled (the outbox names tables as
     * they were). Never an error for the DDL; where it cannot be written (PostgreSQL before 14, no right) the outbox
     * event alone resyncs. SECURITY DEFINER, only for a table the caller may alter (a forged marker costs a copy).
     */
    private String markRewrittenFunction() {
        String body = """
                BEGIN
                  IF current_setting('server_version_num')::int < 140000 THEN
                    RETURN;
                  END IF;
                  IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = p_oid), 'USAGE') THEN
                    RETURN;
                  END IF;
                  PERFORM pg_logical_emit_message(true, 'echodb.ddl', 'rewritten ' || p_oid::bigint || ' '
                    || encode(convert_to(p_schema, 'UTF8'), 'hex') || '.' || encode(convert_to(p_table, 'UTF8'), 'hex')
                    || ' ' || encode(convert_to(coalesce(p_reason, ''), 'UTF8'), 'hex'));
                EXCEPTION WHEN OTHERS THEN
                  RAISE LOG 'EchoDB: no stream marker for the rewrite of %.% (%)', p_schema, p_table, SQLERRM;
                END
                """;
        return "CREATE OR REPLACE FUNCTION " + qualified(MARK_REWRITTEN_FUNCTION)
                + "(p_oid oid, p_schema text, p_table text, p_reason text) RETURNS void"
                + " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    /** Replaces {@code %NAME%} placeholders in one pass, so replaced text is never scanned again. */
    static String fill(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 256);
        int i = 0;
        while (i < template.length()) {
            int start = template.indexOf('%', i);
            int end = start < 0 ? -1 : template.indexOf('%', start + 1);
            String key = end < 0 ? null : template.substring(start + 1, end);
            if (key == null) {
                out.append(template, i, template.length());
                break;
            }
            if (values.containsKey(key)) {
                out.append(template, i, start).append(values.get(key));
                i = end + 1;
            } else {
                out.append(template, i, start + 1);
                i = start + 1;
            }
        }
        return out.toString();
    }

    private String dropFunction() {
        String body = """
                DECLARE
                  obj record;
                  part boolean;
                  root oid;
                BEGIN
                  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
                    CONTINUE WHEN obj.classid <> 'pg_catalog.pg_class'::regclass OR obj.object_type <> 'table'
                      OR obj.is_temporary OR %IGNORED%;
                    part := NULL;
                    root := NULL;
                    DELETE FROM %KNOWN% k WHERE k.rel_oid = obj.objid RETURNING k.is_partition, k.root_oid
                      INTO part, root;
                    PERFORM %EMIT%('dropped', obj.schema_name, obj.object_name, NULL, NULL, tg_tag,
                      obj.object_identity, coalesce(part, false));
                    IF root IS NOT NULL THEN
                      -- a dropped partition's rows left its root without row changes (nothing when the root went too)
                      PERFORM %EMIT_REWRITE%(root, 'partition ' || obj.object_identity || ' dropped');
                    END IF;
                  END LOOP;
                  PERFORM %GUARD%();
                END
                """;
        body = fill(body, Map.of("IGNORED", ignoredSchema("obj.schema_name"), "KNOWN", qualified(KNOWN_TABLES),
                "EMIT", qualified(EMIT_FUNCTION), "EMIT_REWRITE", qualified(EMIT_REWRITE_FUNCTION),
                "GUARD", qualified(GUARD_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(DROP_FUNCTION) + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }
}

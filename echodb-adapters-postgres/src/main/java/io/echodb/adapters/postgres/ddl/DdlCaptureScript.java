package io.echodb.adapters.postgres.ddl;

import static io.echodb.adapters.postgres.ddl.PgQuoting.dollarQuote;
import static io.echodb.adapters.postgres.ddl.PgQuoting.ident;
import static io.echodb.adapters.postgres.ddl.PgQuoting.literal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL that installs DDL capture. Table and schema names of captured events only ever travel as values (record
 * fields, bind-free plpgsql variables, {@code json_build_object} arguments); the only names spliced into SQL text are
 * the configured capture names, quoted with {@link PgQuoting}.
 */
final class DdlCaptureScript {

    static final String OUTBOX = "ddl_outbox";
    static final String CURSOR = "ddl_cursor";
    static final String KNOWN_TABLES = "known_tables";
    static final String OUTBOX_SEQUENCE = "ddl_outbox_position_seq";
    static final String EMIT_FUNCTION = "emit_ddl_event";
    static final String END_FUNCTION = "on_ddl_command_end";
    static final String DROP_FUNCTION = "on_sql_drop";
    /** Command tags whose {@code ddl_command_end} can create or change a table. */
    static final List<String> END_TAGS = List.of("CREATE TABLE", "CREATE TABLE AS", "SELECT INTO", "ALTER TABLE");

    private final DdlCaptureSettings settings;
    private final String s;

    DdlCaptureScript(DdlCaptureSettings settings) {
        this.settings = settings;
        this.s = ident(settings.schema());
    }

    String qualified(String object) {
        return s + "." + ident(object);
    }

    /** Every statement of an install, in order; run them in one transaction. */
    List<String> installStatements() {
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
        sql.add(emitFunction());
        sql.add(endFunction());
        sql.add(dropFunction());
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.endTriggerName()));
        sql.add("CREATE EVENT TRIGGER " + ident(settings.endTriggerName()) + " ON ddl_command_end WHEN TAG IN ("
                + String.join(", ", END_TAGS.stream().map(PgQuoting::literal).toList()) + ") EXECUTE FUNCTION "
                + qualified(END_FUNCTION) + "()");
        sql.add("DROP EVENT TRIGGER IF EXISTS " + ident(settings.dropTriggerName()));
        // No tag filter: tables also disappear through DROP SCHEMA ... CASCADE, DROP OWNED, DROP EXTENSION.
        sql.add("CREATE EVENT TRIGGER " + ident(settings.dropTriggerName()) + " ON sql_drop EXECUTE FUNCTION "
                + qualified(DROP_FUNCTION) + "()");
        // ALWAYS: also capture DDL run under session_replication_role = replica (migration and replication tools).
        sql.add("ALTER EVENT TRIGGER " + ident(settings.endTriggerName()) + " ENABLE ALWAYS");
        sql.add("ALTER EVENT TRIGGER " + ident(settings.dropTriggerName()) + " ENABLE ALWAYS");
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
        sql.add("DELETE FROM " + qualified(KNOWN_TABLES) + " k WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = k.rel_oid)");
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
        if (dropSchema) {
            sql.add("DROP SCHEMA IF EXISTS " + s + " CASCADE");
        }
        return sql;
    }

    private String seedKnownTables() {
        return "INSERT INTO " + qualified(KNOWN_TABLES) + " (rel_oid, schema_name, table_name, is_partition) "
                + "SELECT c.oid, n.nspname, c.relname, c.relispartition "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' "
                + "AND n.nspname NOT IN ('pg_catalog', 'information_schema', " + literal(settings.schema()) + ") "
                + "AND left(n.nspname, 8) NOT IN ('pg_temp_', 'pg_toast') "
                + "ON CONFLICT (rel_oid) DO UPDATE SET schema_name = EXCLUDED.schema_name, "
                + "table_name = EXCLUDED.table_name, is_partition = EXCLUDED.is_partition";
    }

    /** Filters schemas that are never reported: system schemas, temp/toast schemas and the capture schema itself. */
    private String ignoredSchema(String expr) {
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
                  handled oid[] := ARRAY[]::oid[];
                BEGIN
                  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
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
                    SELECT k.schema_name, k.table_name INTO prev FROM %KNOWN% k WHERE k.rel_oid = cmd.objid;
                    was_known := FOUND;
                    IF cmd.command_tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') THEN
                      kind := 'created';
                    ELSIF was_known AND (prev.schema_name <> rel.nspname OR prev.table_name <> rel.relname) THEN
                      kind := 'renamed';
                    ELSE
                      kind := 'altered';
                    END IF;
                    INSERT INTO %KNOWN% AS k (rel_oid, schema_name, table_name, is_partition)
                      VALUES (cmd.objid, rel.nspname, rel.relname, rel.relispartition)
                      ON CONFLICT (rel_oid) DO UPDATE SET schema_name = EXCLUDED.schema_name,
                        table_name = EXCLUDED.table_name, is_partition = EXCLUDED.is_partition;
                    IF rel.relkind = 'p' AND kind = 'altered' THEN
                      -- ATTACH / DETACH PARTITION is reported on the parent: refresh the children's partition flag
                      UPDATE %KNOWN% k SET is_partition = c.relispartition
                        FROM pg_class c WHERE c.oid = k.rel_oid AND k.is_partition <> c.relispartition;
                    END IF;
                    PERFORM %EMIT%(kind, rel.nspname, rel.relname,
                      CASE WHEN kind = 'renamed' THEN prev.schema_name END,
                      CASE WHEN kind = 'renamed' THEN prev.table_name END,
                      cmd.command_tag, cmd.object_identity, rel.relispartition);
                  END LOOP;
                END
                """;
        body = fill(body, Map.of("IGNORED", ignoredSchema("rel.nspname"), "KNOWN", known, "EMIT", qualified(EMIT_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(END_FUNCTION) + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
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
                BEGIN
                  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
                    CONTINUE WHEN obj.classid <> 'pg_catalog.pg_class'::regclass OR obj.object_type <> 'table'
                      OR obj.is_temporary OR %IGNORED%;
                    part := NULL;
                    DELETE FROM %KNOWN% k WHERE k.rel_oid = obj.objid RETURNING k.is_partition INTO part;
                    PERFORM %EMIT%('dropped', obj.schema_name, obj.object_name, NULL, NULL, tg_tag,
                      obj.object_identity, coalesce(part, false));
                  END LOOP;
                END
                """;
        body = fill(body, Map.of("IGNORED", ignoredSchema("obj.schema_name"), "KNOWN", qualified(KNOWN_TABLES),
                "EMIT", qualified(EMIT_FUNCTION)));
        return "CREATE OR REPLACE FUNCTION " + qualified(DROP_FUNCTION) + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }
}

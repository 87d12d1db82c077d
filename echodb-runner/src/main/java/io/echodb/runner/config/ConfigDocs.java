package io.echodb.runner.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders docs/CONFIGURATION.md from {@link ConfigKeys}, so the table never drifts from the code.
 * {@code java -cp echodb-runner.jar io.echodb.runner.config.ConfigDocs docs/CONFIGURATION.md} rewrites the file;
 * a test fails when the committed file differs from {@link #render()}.
 */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration\n\n");
        sb.append("<!-- Generated from io.echodb.runner.config.ConfigKeys by ConfigDocs; do not edit by hand. -->\n\n");
        sb.append("EchoDB reads environment variables, then an optional `.env` file: the file named by `ECHODB_ENV_FILE`, ")
                .append("or `./.env` when it exists. A variable set in the real environment always wins over the file. ")
                .append("The `.env` syntax is docker compose's: `KEY=VALUE`, `export KEY=VALUE`, `#` comments, single or double ")
                .append("quotes, and ` # comment` after an unquoted value.\n\n");
        sb.append("An empty value means the default, except for secrets (an empty password is a real choice). ")
                .append("Every value is validated at start-up; a bad one stops EchoDB with exit status 2 and one line on stderr, e.g.\n\n")
                .append("```\nconfiguration error: POSTGRES_PORT='abc' must be an integer 1..65535\n```\n\n");
        sb.append("Secrets (passwords, `ADMIN_TOKEN`, `CLICKHOUSE_URL`) are masked as `****` in logs, in error messages and in ")
                .append("every HTTP response. Names in the Key column that are followed by \"alias\" are older spellings still accepted.\n");
        String area = null;
        for (ConfigKey<?> k : ConfigKeys.all()) {
            if (!k.area().equals(area)) {
                area = k.area();
                sb.append("\n## ").append(area).append("\n\n");
                sb.append("| Key | Default | Description |\n|---|---|---|\n");
            }
            sb.append("| `").append(k.name()).append('`');
            for (String alias : k.aliases()) {
                sb.append(" (alias `").append(alias).append("`)");
            }
            sb.append(k.secret() ? " (secret)" : "");
            String def = k.shownDefault();
            sb.append(" | ").append(def == null || def.isEmpty() ? "(empty)" : "`" + def + "`");
            sb.append(" | ").append(k.description().replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n(secret) = never logged, never returned by the HTTP API.\n");
        sb.append(TABLE_SETTINGS);
        return sb.toString();
    }

    private static final String TABLE_SETTINGS = """

            ## Table settings

            `ECHODB_TABLES_FILE` names a YAML file: an ordered list of rules. The first rule whose `match` fits a table
            applies to it; tables no rule matches get the defaults (sorted by the source key, not partitioned, every
            column, soft deletes, target named after the table).

            ```yaml
            - match: public.events                   # schema.table; * and ? are globs; without a dot: the table name
              order_by: [tenant_id, created_at]      # the target's sorting key; source key columns are appended (logged)
              partition_by: toYYYYMM(created_at)     # a ClickHouse expression, used as written
              exclude_columns: [payload_raw]         # never read from PostgreSQL, never created in ClickHouse
              target: events_v2                      # target table name (only with a match naming one table)
            - match: "audit.*"                       # quote patterns that start with * or contain ': '
              deletes: hard                          # soft (default) | hard: deleted rows are also removed physically
              purge_after: 3600                      # hard only: seconds; see below
            ```

            | Key | Meaning |
            |---|---|
            | `match` | Required. `schema.table` or a bare table name; `*` any run of characters, `?` one character. |
            | `order_by` | Columns leading the ClickHouse `ORDER BY`. The source key columns not named are appended, because ClickHouse replaces rows by the whole sorting key. A column outside the replica identity (primary key or `USING INDEX`) needs `REPLICA IDENTITY FULL` on the table: only then does PostgreSQL send its old value, which tells EchoDB where a row whose value changed was stored. Without it the mirror is `UNSUPPORTED` with the fix in `last_error` (and becomes so if the identity is set back later), instead of leaving stale rows behind. |
            | `partition_by` | ClickHouse `PARTITION BY` expression. Keep partitions coarse (e.g. monthly): ClickHouse advises far fewer than 1,000. Nullable columns may be used (the table then allows nullable keys; NULLs form their own partition). An expression ClickHouse refuses fails the mirror with ClickHouse's message in its `last_error`; fix the rule and the mirror is created again. |
            | `exclude_columns` | Columns left out: the copy's `COPY` lists only the others, the stream drops them as they arrive (PostgreSQL still writes them to the WAL), the target never has them, and the consistency checker compares the other columns. Key columns cannot be excluded (`UNSUPPORTED`). |
            | `target` | ClickHouse table name instead of the table's own. Two tables cannot share a target (the second mirror fails with a message naming the first). |
            | `deletes` | `soft` (default): a deleted row stays, flagged `_echodb_is_deleted = 1`, hidden by `FINAL`. `hard`: ClickHouse's cleanup merges (`enable_replacing_merge_with_cleanup_for_min_age_to_force_merge`) also remove it physically, with the older versions of every row. |
            | `purge_after` | With `deletes: hard`: ClickHouse merges a partition into one part, leaving deleted rows out, once all its parts are older than this many seconds (default 3600, 1..2592000). Each such merge rewrites the partition: with frequent changes in a large unpartitioned table, prefer a longer interval or a `partition_by`. |

            Why cleanup merges and not a TTL: a TTL removes a deletion marker from its own part, while an older version
            of the row may still sit in another part and would then reappear in `FINAL`. A cleanup merge sees every
            version of a key at once. Cleanup merges are switched off while a copy fills the target (a row copied after
            its deletion was purged would come back) and switched on when the copy is complete.

            Settings apply when a mirror is created and are stored with it (`GET /mirrors/{name}` shows them under
            `settings`). When a rule changes, the next reconciliation (start-up, or every `RECONCILE_INTERVAL`)
            re-creates the affected mirrors: the target is dropped and copied again in the new layout; when the rule
            names another target, the old one is kept. Only `MIRROR_ENGINE=native` supports table settings. Every error
            in the file stops start-up with one line per problem, e.g.

            ```
            configuration error: ECHODB_TABLES_FILE='tables.yaml' rule 2 (match audit.*): has unknown key 'delete' (known: match, order_by, partition_by, exclude_columns, target, deletes, purge_after)
            ```

            Library users set the same through `WatchPolicy.withRules(TableRules)` for the control plane, or directly
            with `new MirrorSpec(name, table, target, new TableSettings(...))` on the engine.
            """;

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/CONFIGURATION.md");
        Files.writeString(out, render(), StandardCharsets.UTF_8);
    }
}

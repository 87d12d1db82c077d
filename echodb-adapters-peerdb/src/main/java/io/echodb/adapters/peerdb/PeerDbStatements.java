package io.echodb.adapters.peerdb;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The statements of PeerDB's SQL interface, built from validated names and escaped values only.
 *
 * <p>Grammar facts (PeerDB nexus parser on sqlparser-rs with the PostgreSQL dialect): names are object names; PeerDB
 * lower-cases mirror and peer names; {@code WITH (k = v, …)} values are single-quoted strings ({@code ''} doubles a
 * quote, backslash is an ordinary character), numbers or booleans; a table mapping is
 * {@code schema.table:target}, and the text of each side reaches PeerDB's flow service exactly as written, where it
 * is split at the first dot and quoted. So table names must be plain words ({@link #PLAIN_WORD}), which PeerDB
 * keeps case-sensitively; anything else is refused with {@link UnsupportedNameException} rather than guessed.
 */
public final class PeerDbStatements {

    /**
     * A name that PeerDB's tokenizer reads as one unquoted word and its flow service receives unchanged: a letter or
     * underscore, then letters, combining marks, decimal digits, {@code _} or {@code $}. Excludes whitespace, quotes,
     * dots, colons, commas, parentheses, control characters and everything else.
     */
    static final Pattern PLAIN_WORD = Pattern.compile("[\\p{L}_][\\p{L}\\p{M}\\p{Nd}_$]*");

    private PeerDbStatements() {
    }

    /** {@code CREATE PEER IF NOT EXISTS <name> FROM POSTGRES WITH (host = '…', …)}. Contains the password. */
    public static String createPostgresPeer(PeerDbSettings.PostgresPeer p) {
        List<String> opts = new ArrayList<>();
        opts.add(option("host", p.host()));
        opts.add(option("port", Integer.toString(p.port())));
        opts.add(option("user", p.user()));
        opts.add(option("password", p.password()));
        opts.add(option("database", p.database()));
        return "CREATE PEER IF NOT EXISTS " + peerName(p.name()) + " FROM POSTGRES WITH (" + String.join(", ", opts) + ")";
    }

    /** {@code CREATE PEER IF NOT EXISTS <name> FROM CLICKHOUSE WITH (…)}, with S3 staging keys when configured. */
    public static String createClickHousePeer(PeerDbSettings.ClickHousePeer p) {
        List<String> opts = new ArrayList<>();
        opts.add(option("host", p.host()));
        opts.add(option("port", Integer.toString(p.nativePort())));
        opts.add(option("user", p.user()));
        opts.add(option("password", p.password()));
        opts.add(option("database", p.database()));
        opts.add(option("disable_tls", Boolean.toString(p.disableTls())));
        PeerDbSettings.S3Staging s3 = p.staging();
        if (s3.isSet()) {
            opts.add(option("s3_path", s3.path()));
            addIfSet(opts, "access_key_id", s3.accessKeyId());
            addIfSet(opts, "secret_access_key", s3.secretAccessKey());
            addIfSet(opts, "region", s3.region());
            addIfSet(opts, "endpoint", s3.endpoint());
        }
        return "CREATE PEER IF NOT EXISTS " + peerName(p.name()) + " FROM CLICKHOUSE WITH (" + String.join(", ", opts) + ")";
    }

    /**
     * {@code CREATE MIRROR IF NOT EXISTS <m> FROM <src> TO <dst> WITH TABLE MAPPING (schema.table:target) WITH (…)};
     * throws {@link UnsupportedNameException} when a name cannot be carried faithfully.
     */
    public static String createMirror(MirrorSpec spec, String sourcePeer, String targetPeer,
                                      PeerDbSettings.MirrorOptions o) {
        String mapping = tableMapping(spec.source(), spec.targetTable());
        List<String> opts = new ArrayList<>();
        // do_initial_copy is mandatory in PeerDB's grammar.
        opts.add("do_initial_copy = " + o.doInitialCopy());
        addIfSet(opts, "publication_name", o.publicationName());
        addIfSet(opts, "replication_slot_name", o.replicationSlotName());
        addIfSet(opts, "max_batch_size", o.maxBatchSize());
        addIfSet(opts, "sync_interval", o.syncIntervalSeconds());
        addIfSet(opts, "snapshot_num_rows_per_partition", o.snapshotRowsPerPartition());
        addIfSet(opts, "snapshot_max_parallel_workers", o.snapshotMaxParallelWorkers());
        addIfSet(opts, "soft_delete_col_name", o.softDeleteColumn());
        addIfSet(opts, "synced_at_col_name", o.syncedAtColumn());
        return "CREATE MIRROR IF NOT EXISTS " + mirrorName(spec.name()) + " FROM " + peerName(sourcePeer) + " TO "
                + peerName(targetPeer) + " WITH TABLE MAPPING (" + mapping + ") WITH (" + String.join(", ", opts) + ")";
    }

    /** {@code DROP MIRROR IF EXISTS <m>} (PeerDB may still answer "not found" for a missing mirror). */
    public static String dropMirror(MirrorName name) {
        return "DROP MIRROR IF EXISTS " + mirrorName(name);
    }

    /**
     * {@code PAUSE MIRROR <m>}: without IF EXISTS on purpose, because PeerDB's IF EXISTS turns <em>every</em> failure
     * of a pause (not only "no such mirror") into success.
     */
    public static String pauseMirror(MirrorName name) {
        return "PAUSE MIRROR " + mirrorName(name);
    }

    /** {@code RESUME MIRROR <m>}; no IF EXISTS for the same reason as {@link #pauseMirror}. */
    public static String resumeMirror(MirrorName name) {
        return "RESUME MIRROR " + mirrorName(name);
    }

    /** {@code RESYNC MIRROR <m>}; no IF EXISTS for the same reason as {@link #pauseMirror}. */
    public static String resyncMirror(MirrorName name) {
        return "RESYNC MIRROR " + mirrorName(name);
    }

    /** {@code schema.table:target}, each part checked to be a {@link #PLAIN_WORD}. */
    static String tableMapping(TableRef source, String target) {
        return plainWord("schema", source.schema()) + "." + plainWord("table", source.name()) + ":"
                + plainWord("target table", target);
    }

    /** A single-quoted string literal: quotes doubled; NUL refused (it would cut the statement short on the wire). */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PeerDB statement value must not contain NUL characters");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** A one-line description of a statement that never includes values (peer statements carry passwords). */
    static String summary(String statement) {
        int cut = statement.indexOf(" WITH ");
        return cut < 0 ? statement : statement.substring(0, cut);
    }

    private static String plainWord(String what, String name) {
        if (!PLAIN_WORD.matcher(name).matches()) {
            throw UnsupportedNameException.of(what, name);
        }
        return name;
    }

    private static String mirrorName(MirrorName name) {
        // MirrorName is [a-z_][a-z0-9_]*: already a plain, lower-case word.
        return name.value();
    }

    private static String peerName(String name) {
        if (!PeerDbSettings.PEER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid PeerDB peer name '" + name + "'");
        }
        return name;
    }

    private static String option(String key, String value) {
        return key + " = " + literal(value);
    }

    private static void addIfSet(List<String> opts, String key, String value) {
        if (!value.isEmpty()) {
            opts.add(option(key, value));
        }
    }

    private static void addIfSet(List<String> opts, String key, OptionalInt value) {
        // PeerDB reads these options only as bare numbers; a quoted number would be ignored.
        value.ifPresent(v -> opts.add(key + " = " + v));
    }
}

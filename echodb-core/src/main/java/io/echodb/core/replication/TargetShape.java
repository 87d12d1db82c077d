package io.echodb.core.replication;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.TableSettings;
import io.echodb.core.port.out.TargetDefinitions;
import io.echodb.core.port.out.TablePublication;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TableNotPublishableException;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSettingsCheck;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one mirror's {@link TableSettings} make of the source table: the schema the target gets (excluded columns
 * left out, the key led by {@code order_by}) and each source row cut to it. The key is what ClickHouse replaces rows
 * by, so it must be known for every old row: a sorting column outside the replica identity is only allowed under
 * REPLICA IDENTITY FULL, whose old images carry it, so a change of it removes the row from its old place exactly as a
 * key change does. With default settings everything passes through unchanged. A key-less table under
 * {@link KeylessTables#FULL} keeps an empty key and gets the multiset layout ({@link TargetLayout#multiset}): the
 * applier writes each change as −old/+new row images instead. Guarded by the engine lock.
 */
final class TargetShape {

    private final TableSettings settings;
    private final KeylessTables keylessTables;
    /** The last source schema a projection was computed for, compared by identity: Relation messages are reused. */
    private TableSchema projectedFrom;
    private int[] kept;

    TargetShape(TableSettings settings, KeylessTables keylessTables) {
        this.settings = settings;
        this.keylessTables = keylessTables;
    }

    boolean isDefault() {
        return settings.isDefault();
    }

    /** Why {@code source} cannot be mirrored exactly (by the source, the key-less mode or these settings), or empty. */
    Optional<String> problem(TableSchema source) {
        return source.unsupportedReason(keylessTables).or(() -> TableSettingsCheck.problem(settings, source));
    }

    /**
     * {@code described}, or — for a key-less table under {@link KeylessTables#FULL} whose updates do not carry whole
     * old rows yet — its shape after the source set REPLICA IDENTITY FULL, which it needs before it is published and
     * copied. Throws {@link TableNotPublishableException} when the source refuses.
     */
    TableSchema withFullIdentityIfKeyless(TablePublication source, TableSchema described) {
        if (!needsFullIdentityFirst(described)) {
            return described;
        }
        return source.useFullReplicaIdentity(described.table()).orElse(described);
    }

    /**
     * Whether {@code source} is mirrored only once a copy has set REPLICA IDENTITY FULL on it: a key-less table under
     * {@link KeylessTables#FULL} whose changes do not carry whole old rows yet (e.g. it just lost its primary key).
     */
    boolean needsFullIdentityFirst(TableSchema source) {
        return keylessTables == KeylessTables.FULL && source.keylessWithoutFullIdentity();
    }

    /** The target's view of {@code source}. */
    TableSchema schema(TableSchema source) {
        if (isDefault() || source == null) {
            return source;
        }
        List<Column> columns = new ArrayList<>();
        for (Column c : source.columns()) {
            if (!settings.excludeColumns().contains(c.name())) {
                columns.add(c);
            }
        }
        if (source.isMultiset()) {
            // No key to lead: order_by only sorts the row images (TargetLayout.multiset), it must not identify rows.
            return new TableSchema(source.table(), columns, List.of(), source.identity(), source.relationId(),
                    source.sourceProblem());
        }
        Set<String> key = new LinkedHashSet<>();
        for (String c : settings.orderBy()) {
            if (source.indexOf(c) >= 0) {
                key.add(c);
            }
        }
        for (String c : source.keyColumns()) {
            if (!settings.excludeColumns().contains(c)) {
                key.add(c);
            }
        }
        return new TableSchema(source.table(), columns, List.copyOf(key), source.identity(), source.relationId(),
                source.sourceProblem());
    }

    /**
     * The renames the target must make for source renames {@code renames} (old → new), or null when the settings
     * cannot follow them: an excluded column renamed (its new name would be read), or a column renamed onto or away
     * from an {@code order_by} name (the target's key would change).
     */
    Map<String, String> targetRenames(Map<String, String> renames) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> r : renames.entrySet()) {
            boolean excluded = settings.excludeColumns().contains(r.getKey())
                    || settings.excludeColumns().contains(r.getValue());
            boolean sorting = settings.orderBy().contains(r.getKey()) || settings.orderBy().contains(r.getValue());
            if (excluded || sorting) {
                return null;
            }
            out.put(r.getKey(), r.getValue());
        }
        return out;
    }

    /** Creates or evolves {@code target} for {@code shaped} (a {@link #schema} result) with these settings' layout. */
    SchemaSync ensure(TargetDefinitions sink, String target, TableSchema shaped) {
        TargetLayout layout = shaped.isMultiset() ? TargetLayout.multiset(settings, multisetOrder(shaped))
                : TargetLayout.of(settings);
        return layout.isDefault() ? sink.ensureTable(target, shaped) : sink.ensureTable(target, shaped, layout);
    }

    private List<String> multisetOrder(TableSchema shaped) {
        return settings.orderBy().stream().filter(c -> shaped.indexOf(c) >= 0).toList();
    }

    /**
     * Whether the target of {@code source} removes deleted rows physically (and must not while a copy fills it); a
     * multiset target never does: its −1 rows are what cancels the +1 rows.
     */
    boolean hardDeletes(TableSchema source) {
        return settings.deletes() == DeleteMode.HARD && !source.isMultiset();
    }

    /** The source key columns {@code order_by} did not name, which the target's key gets appended. */
    List<String> appendedKeyColumns(TableSchema source) {
        List<String> out = new ArrayList<>();
        if (settings.orderBy().isEmpty()) {
            return out;
        }
        Set<String> named = new HashSet<>(settings.orderBy());
        for (String c : source.keyColumns()) {
            if (!named.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** {@code row} of {@code source} cut to {@link #schema}; unchanged with default settings. */
    Row row(TableSchema source, Row row) {
        if (isDefault() || settings.excludeColumns().isEmpty()) {
            return row;
        }
        if (source == null) {
            throw new IllegalStateException("a row arrived before the shape of its table was known");
        }
        if (source != projectedFrom) {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < source.columns().size(); i++) {
                if (!settings.excludeColumns().contains(source.columns().get(i).name())) {
                    indexes.add(i);
                }
            }
            kept = indexes.stream().mapToInt(Integer::intValue).toArray();
            projectedFrom = source;
        }
        if (kept.length == row.size()) {
            return row;
        }
        Object[] values = new Object[kept.length];
        for (int i = 0; i < kept.length; i++) {
            values[i] = row.get(kept[i]);
        }
        return Row.wrap(values);
    }
}

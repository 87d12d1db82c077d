package io.echodb.core.replication;

import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.TableSchema;

/**
 * Reads, from two consecutive Relation messages of one relation, DDL that changed existing rows without row changes.
 * PostgreSQL cannot give a column another type in place unless the values stay as they are (a longer varchar, a wider
 * numeric, a new enum label): any other new type came from a rewrite (ALTER TYPE … USING) or from the column being
 * dropped and added again under its name (the old values gone). DDL capture sees both too, but a catalog sweep misses a
 * column dropped and added again between two of its sweeps (schema chaos seed 700969957), and nothing sees DDL run
 * while capture was not installed; the stream always shows the new type.
 */
final class ValueChangingDdl {

    private ValueChangingDdl() {
    }

    /** Why rows of {@code now}'s table changed since {@code before} without row changes, or null (also without before). */
    static String between(TableSchema before, TableSchema now) {
        if (before == null) {
            return null;
        }
        for (Column column : now.columns()) {
            int i = before.indexOf(column.name());
            if (i >= 0 && !valuesKept(before.columns().get(i).type(), column.type())) {
                return "column " + column.name() + " is now " + column.sourceType() + ", was "
                        + before.columns().get(i).sourceType() + ": rewritten, or dropped and added again";
            }
        }
        return null;
    }

    /** Whether a column of type {@code from} can become {@code to} with every stored value as it was. */
    static boolean valuesKept(ColumnType from, ColumnType to) {
        if (from.equals(to)) {
            return true;
        }
        if (from instanceof ColumnType.Decimal d && to instanceof ColumnType.Decimal e) {
            return d.scale() == e.scale() && e.precision() >= d.precision();
        }
        if (from instanceof ColumnType.Decimal && to instanceof ColumnType.Numeric) {
            return true;
        }
        if (from instanceof ColumnType.Enum a && to instanceof ColumnType.Enum b) {
            return a.typeName().equals(b.typeName());
        }
        if (from instanceof ColumnType.ArrayOf a && to instanceof ColumnType.ArrayOf b) {
            return valuesKept(a.element(), b.element());
        }
        return false;
    }
}

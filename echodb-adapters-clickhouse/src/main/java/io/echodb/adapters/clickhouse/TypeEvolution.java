package io.echodb.adapters.clickhouse;

import java.util.List;
import java.util.Objects;

/**
 * Decides what to do when a target column's ClickHouse type differs from the type the source column maps to today.
 * Safe widenings (Int16→Int32→Int64, Float32→Float64, Decimal precision/scale growth, any scalar→String, adding
 * Nullable) become {@code MODIFY COLUMN}; a target that can already hold every new value is kept as is; anything else,
 * and any type change of a sorting-key column (ClickHouse forbids those), is incompatible.
 */
final class TypeEvolution {

    private TypeEvolution() {
    }

    sealed interface Decision {
    }

    /** The target column stays as it is (values are converted on write). */
    record Keep() implements Decision {
    }

    /** {@code ALTER TABLE … MODIFY COLUMN} to {@code to}. */
    record Modify(ChType to) implements Decision {
    }

    record Incompatible(String reason) implements Decision {
    }

    private static final List<ChType.Kind> SIGNED = List.of(
            ChType.Kind.INT8, ChType.Kind.INT16, ChType.Kind.INT32, ChType.Kind.INT64, ChType.Kind.INT128, ChType.Kind.INT256);

    static Decision decide(String column, ChType current, ChType wanted, boolean sortingKeyColumn) {
        if (current.equals(wanted) || canHold(current, wanted)) {
            return new Keep();
        }
        if (canHold(wanted, current)) {
            if (sortingKeyColumn) {
                return new Incompatible("key column " + ClickHouseSql.identifier(column) + " would have to change from "
                        + current.sql() + " to " + wanted.sql() + ", but ClickHouse cannot alter a sorting-key column;"
                        + " resync the mirror to rebuild the table");
            }
            return new Modify(wanted);
        }
        return new Incompatible("column " + ClickHouseSql.identifier(column) + " has ClickHouse type " + current.sql()
                + ", which cannot safely become " + wanted.sql() + " (the source type changed incompatibly);"
                + " resync the mirror to rebuild the table");
    }

    /** True when every value of type {@code small} can be stored in a column of type {@code big} without loss. */
    static boolean canHold(ChType big, ChType small) {
        if (small.isNullable() && !big.isNullable()) {
            return false;
        }
        ChType b = big.base();
        ChType s = small.base();
        if (b.equals(s)) {
            return true;
        }
        if (b instanceof ChType.Array ba && s instanceof ChType.Array sa) {
            return canHold(ba.element(), sa.element());
        }
        if (b instanceof ChType.Array || s instanceof ChType.Array || s instanceof ChType.Other || b instanceof ChType.Other) {
            return false;
        }
        if (b.equals(ChType.STRING)) {
            return true; // every scalar has a text form (ClickHouse's own CAST to String on MODIFY)
        }
        if (b instanceof ChType.Decimal bd && s instanceof ChType.Decimal sd) {
            return bd.scale() >= sd.scale() && bd.precision() - bd.scale() >= sd.precision() - sd.scale();
        }
        if (b instanceof ChType.DateTime64 bt && s instanceof ChType.DateTime64 st) {
            return Objects.equals(bt.timezone(), st.timezone()) && bt.precision() >= st.precision();
        }
        if (b instanceof ChType.Simple bs && s instanceof ChType.Simple ss) {
            if (SIGNED.contains(bs.kind()) && SIGNED.contains(ss.kind())) {
                return SIGNED.indexOf(bs.kind()) >= SIGNED.indexOf(ss.kind());
            }
            return bs.kind() == ChType.Kind.FLOAT64 && ss.kind() == ChType.Kind.FLOAT32
                    || bs.kind() == ChType.Kind.DATE32 && ss.kind() == ChType.Kind.DATE;
        }
        return false;
    }
}

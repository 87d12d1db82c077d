package io.echodb.core.schema;

import java.util.Arrays;

/** Values of one row in the column order of its {@link TableSchema}; see {@link ColumnType} for value types. */
public final class Row {

    private final Object[] values;

    private Row(Object[] values) {
        this.values = values;
    }

    /** Wraps the array without copying: the caller hands it over and must not change it afterwards. */
    public static Row wrap(Object[] values) {
        return new Row(values);
    }

    public static Row of(Object... values) {
        return new Row(values.clone());
    }

    public Object get(int i) {
        return values[i];
    }

    public int size() {
        return values.length;
    }

    public boolean hasUnchangedToast() {
        for (Object v : values) {
            if (v == UnchangedToast.INSTANCE) {
                return true;
            }
        }
        return false;
    }

    /** Copy with value {@code i} replaced. */
    public Row with(int i, Object value) {
        Object[] copy = values.clone();
        copy[i] = value;
        return new Row(copy);
    }

    /** Copy resized to {@code size} columns; new columns are null. */
    public Row resized(int size) {
        return new Row(Arrays.copyOf(values, size));
    }

    public Object[] toArray() {
        return values.clone();
    }

    /** The key values at {@code keyIndexes}, usable as a map key (byte arrays compared by content). */
    public RowKey key(int[] keyIndexes) {
        Object[] k = new Object[keyIndexes.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = values[keyIndexes[i]];
        }
        return new RowKey(k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && Arrays.deepEquals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values);
    }
}

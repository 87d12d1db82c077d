package io.echodb.core.schema;

import java.util.Arrays;

/** Key values of a row, comparable by content. */
public final class RowKey {

    private final Object[] values;

    RowKey(Object[] values) {
        this.values = values;
    }

    public static RowKey of(Object... values) {
        return new RowKey(values.clone());
    }

    public Object get(int i) {
        return values[i];
    }

    public int size() {
        return values.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && Arrays.deepEquals(values, k.values);
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

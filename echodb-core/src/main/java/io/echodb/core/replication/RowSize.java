package io.echodb.core.replication;

import io.echodb.core.schema.Row;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;

/** A cheap estimate of a row's memory and wire size, good enough to bound buffers; not exact. */
final class RowSize {

    private static final int ROW_OVERHEAD = 48;

    private RowSize() {
    }

    static long estimate(Row row) {
        long bytes = ROW_OVERHEAD;
        for (int i = 0; i < row.size(); i++) {
            bytes += value(row.get(i));
        }
        return bytes;
    }

    private static long value(Object v) {
        if (v == null) {
            return 8;
        }
        if (v instanceof String s) {
            return 40L + s.length();
        }
        if (v instanceof byte[] b) {
            return 16L + b.length;
        }
        if (v instanceof BigDecimal d) {
            return 32L + d.precision() / 2;
        }
        if (v instanceof List<?> l) {
            long sum = 24;
            for (int i = 0; i < l.size(); i++) { // by index: no iterator per array value
                sum += value(l.get(i));
            }
            return sum;
        }
        if (v instanceof Collection<?> c) {
            long sum = 24;
            for (Object e : c) {
                sum += value(e);
            }
            return sum;
        }
        return 16;
    }
}

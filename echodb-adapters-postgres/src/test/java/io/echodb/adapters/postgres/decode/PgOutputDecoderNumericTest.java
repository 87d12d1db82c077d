package io.echodb.adapters.postgres.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream path (pgoutput text tuples) with numbers at and beyond the range of a long: in new tuples, in the key
 * tuples of updates and deletes ('K'), in full old tuples ('O') and in array elements. 9999999999999999999 once came
 * back as -8446744073709551617 (a fast path accumulated 19 digits in a long).
 */
class PgOutputDecoderNumericTest {

    /** k numeric (the key), d numeric(21,1), a numeric[], i8 bigint. */
    private static final String[] NAMES = {"k", "d", "a", "i8"};
    private static final int[] OIDS = {1700, 1700, 1231, 20};
    private static final List<ColumnType> TYPES = List.of(ColumnType.NUMERIC, new ColumnType.Decimal(21, 1),
            new ColumnType.ArrayOf(ColumnType.NUMERIC), ColumnType.INT64);

    private static final RelationResolver RESOLVER = m -> {
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < m.columns().size(); i++) {
            cols.add(Column.of(m.columns().get(i).name(), TYPES.get(i), i != 0));
        }
        return new TableSchema(TableRef.of(m.schema(), m.table()), cols, List.of("k"),
                m.replicaIdentity() == 'f' ? ReplicaIdentity.FULL : ReplicaIdentity.DEFAULT);
    };

    private static final String[][] VALUES = {
        {"9999999999999999999", "12345678901234567890.5", "{9999999999999999999,-9999999999999999999,NULL}",
            "9223372036854775807"},
        {"-9999999999999999999", "-12345678901234567890.5", "{9223372036854775808,-9223372036854775809}",
            "-9223372036854775808"},
        {"9223372036854775808", "9999999999999999999.0", "{9223372036854775807,-9223372036854775808}", "0"},
        {"-9223372036854775809", "-9223372036854775808.9", "{99999999999999999999,12345678901234567890.5}", "-1"},
        {"9223372036854775807", "999999999999999999.9", "{}", null},
        {"-9223372036854775808", "-0.5", "{{9999999999999999999},{1}}", "1"},
        {"12345678901234567890.5", "1", "{0.9999999999999999999}", "999999999999999999"},
    };

    /** The arrays of {@link #VALUES}, written out. */
    private static final List<List<Object>> ARRAYS = List.of(
            Arrays.asList(dec("9999999999999999999"), dec("-9999999999999999999"), null),
            List.of(dec("9223372036854775808"), dec("-9223372036854775809")),
            List.of(dec("9223372036854775807"), dec("-9223372036854775808")),
            List.of(dec("99999999999999999999"), dec("12345678901234567890.5")),
            List.of(),
            List.of(List.of(dec("9999999999999999999")), List.of(BigDecimal.ONE)),
            List.of(dec("0.9999999999999999999")));

    private static BigDecimal dec(String text) {
        return new BigDecimal(text);
    }

    private static Row expected(String[] values) {
        int r = Arrays.asList(VALUES).indexOf(values);
        return Row.of(dec(values[0]), dec(values[1]), ARRAYS.get(r), values[3] == null ? null : Long.valueOf(values[3]));
    }

    @Test
    void newTuplesKeyTuplesAndOldTuplesKeepEveryDigit() throws IOException {
        PgOutputDecoder d = new PgOutputDecoder(RESOLVER);
        decode(d, relation(42, 'd'));
        for (String[] v : VALUES) {
            ChangeEvent.Insert ins = (ChangeEvent.Insert) decode(d, change('I', 42, (char) 0, null, v));
            assertThat(ins.newRow()).as(Arrays.toString(v)).isEqualTo(expected(v));
        }
        assertThat(((ChangeEvent.Insert) decode(d, change('I', 42, (char) 0, null, VALUES[0]))).newRow().get(0))
                .isEqualTo(new BigDecimal("9999999999999999999"));

        // a key change: the old key travels as a 'K' tuple
        ChangeEvent.Update upd = (ChangeEvent.Update) decode(d, change('U', 42, 'K', keyOnly("9999999999999999999"), VALUES[1]));
        assertThat(upd.oldRow().get(0)).isEqualTo(new BigDecimal("9999999999999999999"));
        assertThat(upd.newRow()).isEqualTo(expected(VALUES[1]));

        ChangeEvent.Delete del = (ChangeEvent.Delete) decode(d, change('D', 42, 'K', keyOnly("-9223372036854775809"), null));
        assertThat(del.oldRow().get(0)).isEqualTo(new BigDecimal("-9223372036854775809"));

        // REPLICA IDENTITY FULL: the whole old row
        decode(d, relation(43, 'f'));
        ChangeEvent.Delete full = (ChangeEvent.Delete) decode(d, change('D', 43, 'O', VALUES[0], null));
        assertThat(full.oldRow()).isEqualTo(expected(VALUES[0]));
        ChangeEvent.Update fullUpd = (ChangeEvent.Update) decode(d, change('U', 43, 'O', VALUES[2], VALUES[3]));
        assertThat(fullUpd.oldRow()).isEqualTo(expected(VALUES[2]));
        assertThat(fullUpd.newRow()).isEqualTo(expected(VALUES[3]));
    }

    @Test
    void aBigintBeyondItsRangeIsRejectedNotWrapped() throws IOException {
        PgOutputDecoder d = new PgOutputDecoder(RESOLVER);
        decode(d, relation(42, 'd'));
        for (String beyond : new String[] {"9223372036854775808", "-9223372036854775809", "9999999999999999999"}) {
            String[] v = {"1", "1", "{}", beyond};
            assertThatThrownBy(() -> decode(d, change('I', 42, (char) 0, null, v))).as(beyond)
                    .isInstanceOf(PgValueFormatException.class).hasMessageContaining(beyond);
        }
    }

    private static String[] keyOnly(String key) {
        String[] v = new String[NAMES.length];
        v[0] = key;
        return v;
    }

    private static ChangeEvent decode(PgOutputDecoder d, byte[] m) {
        byte[] padded = new byte[m.length + 10];
        System.arraycopy(m, 0, padded, 5, m.length);
        return d.decode(padded, 5, m.length);
    }

    private static byte[] relation(int relId, char identity) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeByte('R');
            o.writeInt(relId);
            string(o, "public");
            string(o, "big" + relId);
            o.writeByte(identity);
            o.writeShort(NAMES.length);
            for (int i = 0; i < NAMES.length; i++) {
                o.writeByte(i == 0 ? 1 : 0);
                string(o, NAMES[i]);
                o.writeInt(OIDS[i]);
                o.writeInt(-1);
            }
        }
        return bytes.toByteArray();
    }

    /** An Insert ('I': values), Update ('U': optional old tuple of {@code oldKind}, values) or Delete ('D': old tuple). */
    private static byte[] change(char message, int relId, char oldKind, String[] old, String[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeByte(message);
            o.writeInt(relId);
            if (old != null) {
                o.writeByte(oldKind);
                tuple(o, old);
            }
            if (values != null) {
                o.writeByte('N');
                tuple(o, values);
            }
        }
        return bytes.toByteArray();
    }

    private static void tuple(DataOutputStream o, String[] values) throws IOException {
        o.writeShort(values.length);
        for (String v : values) {
            if (v == null) {
                o.writeByte('n');
            } else {
                byte[] b = bytes(v);
                o.writeByte('t');
                o.writeInt(b.length);
                o.write(b);
            }
        }
    }

    private static void string(DataOutputStream o, String s) throws IOException {
        o.write(bytes(s));
        o.writeByte(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

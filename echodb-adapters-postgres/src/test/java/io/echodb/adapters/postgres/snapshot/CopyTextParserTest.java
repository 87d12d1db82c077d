package io.echodb.adapters.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.adapters.postgres.decode.PgValueFormatException;
import io.echodb.adapters.postgres.decode.TextDecoder;
import io.echodb.core.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** COPY text format: escapes, NULLs and rows split across CopyData chunks. */
class CopyTextParserTest {

    private static CopyTextParser parser() {
        return new CopyTextParser(new TextDecoder[] {PgTextDecoders.forType(ColumnType.INT32),
            PgTextDecoders.forType(ColumnType.TEXT), PgTextDecoders.forType(ColumnType.BYTES)},
                new String[] {"id", "t", "b"});
    }

    @Test
    void escapesAndNulls() {
        List<Object[]> rows = new ArrayList<>();
        parser().feed(bytes("1\ta\\tb\\nc\\\\d\\101\\x41\\q\t\\\\x0a\n2\t\\N\t\\N\n3\t\t\\\\x\n"), rows::add);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)[0]).isEqualTo(1);
        assertThat(rows.get(0)[1]).isEqualTo("a\tb\nc\\dAAq");
        assertThat((byte[]) rows.get(0)[2]).containsExactly(10);
        assertThat(Arrays.asList(rows.get(1))).containsExactly(2, null, null);
        assertThat(rows.get(2)[1]).isEqualTo("");
        assertThat((byte[]) rows.get(2)[2]).isEmpty();
    }

    @Test
    void rowsSplitAcrossChunks() {
        CopyTextParser p = parser();
        List<Object[]> rows = new ArrayList<>();
        byte[] all = bytes("10\thello w\u00f6rld\t\\\\x01\n11\tx\t\\N\n");
        for (byte b : all) {
            p.feed(new byte[] {b}, rows::add);
        }
        p.finish();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)[1]).isEqualTo("hello w\u00f6rld");
        assertThat(rows.get(1)[0]).isEqualTo(11);
    }

    @Test
    void truncatedOutputAndWrongColumnCountsFail() {
        CopyTextParser p = parser();
        p.feed(bytes("1\ta"), r -> { });
        assertThatThrownBy(p::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> parser().feed(bytes("1\ta\n"), r -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> parser().feed(bytes("x\ta\t\\N\n"), r -> { }))
                .isInstanceOf(PgValueFormatException.class).hasMessageContaining("column id");
    }

    /** The initial copy of numbers at and beyond a long's range: keys, numerics with scale, array elements, bigint. */
    @Test
    void numbersBeyondTheLongRangeAreCopiedExactly() {
        CopyTextParser p = new CopyTextParser(new TextDecoder[] {PgTextDecoders.forType(ColumnType.NUMERIC),
            PgTextDecoders.forType(new ColumnType.Decimal(21, 1)),
            PgTextDecoders.forType(new ColumnType.ArrayOf(ColumnType.NUMERIC)), PgTextDecoders.forType(ColumnType.INT64)},
                new String[] {"k", "d", "a", "i8"});
        List<Object[]> rows = new ArrayList<>();
        p.feed(bytes("9999999999999999999\t12345678901234567890.5\t{9999999999999999999,-9999999999999999999,NULL}"
                + "\t9223372036854775807\n"
                + "-9999999999999999999\t-12345678901234567890.5\t{9223372036854775808,-9223372036854775809}"
                + "\t-9223372036854775808\n"
                + "9223372036854775808\t9999999999999999999.0\t{9223372036854775807,-9223372036854775808}\t\\N\n"
                + "-9223372036854775809\t\\N\t{99999999999999999999,\"12345678901234567890.5\"}\t0\n"
                // an escaped field is decoded from the parser's scratch buffer: \071 is '9'
                + "\\0719999999999999999999\t999999999999999999.9\t{{9999999999999999999},{1}}\t-1\n"), rows::add);
        p.finish();
        assertThat(rows).hasSize(5);
        assertThat(Arrays.asList(rows.get(0))).containsExactly(dec("9999999999999999999"), dec("12345678901234567890.5"),
                Arrays.asList(dec("9999999999999999999"), dec("-9999999999999999999"), null), Long.MAX_VALUE);
        assertThat(Arrays.asList(rows.get(1))).containsExactly(dec("-9999999999999999999"), dec("-12345678901234567890.5"),
                List.of(dec("9223372036854775808"), dec("-9223372036854775809")), Long.MIN_VALUE);
        assertThat(Arrays.asList(rows.get(2))).containsExactly(dec("9223372036854775808"), dec("9999999999999999999.0"),
                List.of(dec("9223372036854775807"), dec("-9223372036854775808")), null);
        assertThat(Arrays.asList(rows.get(3))).containsExactly(dec("-9223372036854775809"), null,
                List.of(dec("99999999999999999999"), dec("12345678901234567890.5")), 0L);
        assertThat(Arrays.asList(rows.get(4))).containsExactly(dec("99999999999999999999"), dec("999999999999999999.9"),
                List.of(List.of(dec("9999999999999999999")), List.of(BigDecimal.ONE)), -1L);

        for (String beyond : new String[] {"9223372036854775808", "-9223372036854775809", "9999999999999999999"}) {
            assertThatThrownBy(() -> p.feed(bytes("1\t1\t{}\t" + beyond + "\n"), r -> { })).as(beyond)
                    .isInstanceOf(PgValueFormatException.class).hasMessageContaining("column i8")
                    .hasMessageContaining(beyond);
        }
    }

    private static BigDecimal dec(String text) {
        return new BigDecimal(text);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.echodb.adapters.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.adapters.postgres.decode.PgValueFormatException;
import io.echodb.adapters.postgres.decode.TextDecoder;
import io.echodb.core.schema.ColumnType;
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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

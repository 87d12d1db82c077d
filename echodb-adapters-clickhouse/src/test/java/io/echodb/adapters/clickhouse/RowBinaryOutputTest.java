package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.SpecialValue;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Byte layouts of RowBinary as ClickHouse defines them (checked against the engine in ClickHouseChangeSinkTest). */
class RowBinaryOutputTest {

    @Test
    void uint128IsLowHalfFirstLittleEndian() {
        RowBinaryOutput out = new RowBinaryOutput(16);
        out.writeUInt128(1, 2);
        assertThat(out.toHex()).isEqualTo("0200000000000000" + "0100000000000000");
    }

    @Test
    void aBatchLargerThanAPageIsTheSameBytesInPagesNoneOfThemHumongous() throws Exception {
        java.util.Random random = new java.util.Random(7);
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        RowBinaryOutput out = new RowBinaryOutput(100);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[random.nextInt(i % 500 == 0 ? 700_000 : 120)];
            random.nextBytes(raw);
            out.writeLong(i);
            out.writeBytes(raw);
            expected.write(new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24), 0, 0, 0, 0});
            java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream();
            long v = raw.length;
            while ((v & ~0x7FL) != 0) {
                one.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            one.write((int) v);
            expected.write(one.toByteArray());
            expected.write(raw);
        }
        byte[] want = expected.toByteArray();
        assertThat(out.size()).isEqualTo(want.length).isGreaterThan(10 * RowBinaryOutput.PAGE_BYTES);
        assertThat(out.toByteArray()).isEqualTo(want);
        java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
        out.writeTo(sent);
        out.writeTo(sent); // a retried insert writes the same body again
        assertThat(Arrays.copyOfRange(sent.toByteArray(), 0, want.length)).isEqualTo(want);
        assertThat(Arrays.copyOfRange(sent.toByteArray(), want.length, 2 * want.length)).isEqualTo(want);
        out.reset();
        out.writeInt(1);
        assertThat(out.toHex()).isEqualTo("01000000");
    }

    @Test
    void lengthsAreLeb128() {
        RowBinaryOutput out = new RowBinaryOutput(16);
        out.writeVarUInt(0);
        out.writeVarUInt(127);
        out.writeVarUInt(128);
        out.writeVarUInt(300);
        assertThat(out.toHex()).isEqualTo("00" + "7F" + "8001" + "AC02");
    }

    @Test
    void uuidIsTwoLittleEndianHalvesHighFirst() {
        RowBinaryOutput out = new RowBinaryOutput(16);
        ValueWriters.forType(ChType.UUID, ColumnType.UUID).write(out, UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
        assertThat(out.toHex()).isEqualTo("7766554433221100" + "FFEEDDCCBBAA9988");
    }

    @Test
    void decimalsAreScaledIntegersOfTheirWidth() {
        assertThat(encode(new ChType.Decimal(9, 2), new BigDecimal("123.45"))).isEqualTo("39300000");
        assertThat(encode(new ChType.Decimal(18, 2), new BigDecimal("-0.01"))).isEqualTo("FFFFFFFFFFFFFFFF");
        assertThat(encode(new ChType.Decimal(38, 0), BigDecimal.ONE)).isEqualTo("01" + "00".repeat(15));
        assertThat(encode(new ChType.Decimal(76, 0), BigDecimal.ONE.negate())).isEqualTo("FF".repeat(32));
    }

    @Test
    void nullableAndArraysAndDates() {
        ChType nullableDecimal = ChType.nullable(new ChType.Decimal(9, 0));
        assertThat(encode(nullableDecimal, null)).isEqualTo("01");
        assertThat(encode(nullableDecimal, SpecialValue.NAN)).isEqualTo("01");
        assertThat(encode(nullableDecimal, BigDecimal.TEN)).isEqualTo("000A000000");
        assertThat(encode(ChType.DATE32, LocalDate.of(1969, 12, 31))).isEqualTo("FFFFFFFF");
        assertThat(encode(new ChType.DateTime64(6, "UTC"), Instant.ofEpochSecond(1))).isEqualTo("40420F0000000000");
        RowBinaryOutput out = new RowBinaryOutput(16);
        ValueWriters.forType(new ChType.Array(ChType.nullable(ChType.INT32)), new ColumnType.ArrayOf(ColumnType.INT32))
                .write(out, Arrays.asList(1, null));
        assertThat(out.toHex()).isEqualTo("02" + "0001000000" + "01");
    }

    @Test
    void readsBackWhatItWrites() throws Exception {
        RowBinaryOutput out = new RowBinaryOutput(16);
        out.writeBigInteger(new BigInteger("-170141183460469231731687303715884105728"), 16);
        out.writeBigInteger(BigInteger.TWO.pow(127), 16);
        out.writeString("ünï");
        RowBinaryInput in = new RowBinaryInput(new ByteArrayInputStream(out.toByteArray()));
        assertThat(in.readBigInteger(16, true)).isEqualTo(new BigInteger("-170141183460469231731687303715884105728"));
        assertThat(in.readBigInteger(16, false)).isEqualTo(BigInteger.TWO.pow(127));
        assertThat(in.readString()).isEqualTo("ünï");
        assertThat(in.atEnd()).isTrue();
    }

    private static String encode(ChType type, Object value) {
        RowBinaryOutput out = new RowBinaryOutput(16);
        ValueWriters.forType(type, ColumnType.NUMERIC).write(out, value);
        return out.toHex();
    }
}

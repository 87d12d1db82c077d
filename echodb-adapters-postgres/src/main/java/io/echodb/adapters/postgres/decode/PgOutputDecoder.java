package io.echodb.adapters.postgres.decode;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes pgoutput protocol version 1 messages (text tuple format) into {@link ChangeEvent}s. Not thread-safe: one
 * instance per stream, used by its reader thread. Relation messages are remembered by relation id, as the protocol
 * requires, and resolved to schemas through a {@link RelationResolver}.
 *
 * <p>Message layouts (all integers big-endian): Begin {@code B final_lsn:i64 commit_ts:i64 xid:i32}; Commit
 * {@code C flags:i8 commit_lsn:i64 end_lsn:i64 commit_ts:i64}; Origin {@code O lsn:i64 name:str}; Relation
 * {@code R relid:i32 ns:str name:str replident:i8 ncols:i16 (flags:i8 name:str typoid:i32 typmod:i32)*}; Type
 * {@code Y oid:i32 ns:str name:str}; Insert {@code I relid:i32 'N' tuple}; Update
 * {@code U relid:i32 [('K'|'O') tuple] 'N' tuple}; Delete {@code D relid:i32 ('K'|'O') tuple}; Truncate
 * {@code T nrels:i32 options:i8 relid:i32*}; Message {@code M flags:i8 lsn:i64 prefix:str len:i32 bytes} (only
 * {@link StreamMarker#PREFIX} ones, see there). Tuple: {@code ncols:i16} then per
 * column {@code 'n'} (null), {@code 'u'} (unchanged TOAST) or {@code 't' len:i32 bytes}. Timestamps count
 * microseconds since 2000-01-01 UTC.
 */
public final class PgOutputDecoder {

    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final RelationResolver resolver;
    private final Map<Integer, DecodedRelation> relations = new HashMap<>();
    private boolean inTransaction;

    // cursor state of the message being decoded
    private byte[] b;
    private int p;
    private int end;

    public PgOutputDecoder(RelationResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** True between a Begin and its Commit. */
    public boolean inTransaction() {
        return inTransaction;
    }

    /** The schema last announced for a relation id, or null. */
    public TableSchema schemaOf(int relationId) {
        DecodedRelation r = relations.get(relationId);
        return r == null ? null : r.schema;
    }

    /**
     * Decodes one message ({@code len} bytes at {@code off}); returns null for messages that produce no event
     * (Origin, Type, Message).
     */
    public ChangeEvent decode(byte[] buf, int off, int len) {
        this.b = buf;
        this.p = off;
        this.end = off + len;
        try {
            byte kind = readByte();
            return switch (kind) {
                case 'B' -> begin();
                case 'C' -> commit();
                case 'R' -> relation();
                case 'I' -> insert();
                case 'U' -> update();
                case 'D' -> delete();
                case 'T' -> truncate();
                case 'Y' -> type();
                case 'M' -> message();
                case 'O' -> null;
                default -> throw new IllegalStateException("unknown pgoutput message type '" + (char) kind + "'");
            };
        } finally {
            this.b = null;
        }
    }

    /** A logical decoding message: EchoDB's stream markers become events, other prefixes are someone else's. */
    private ChangeEvent message() {
        readByte(); // flags: transactional or not; markers are emitted transactionally
        readLong(); // the message's LSN
        String prefix = readString();
        int length = readInt();
        if (length < 0 || p + length > end) {
            throw new IllegalStateException("logical decoding message of " + length + " bytes overruns its frame");
        }
        String content = new String(b, p, length, StandardCharsets.UTF_8);
        p += length;
        return StreamMarker.PREFIX.equals(prefix) ? StreamMarker.parse(content) : null;
    }

    private ChangeEvent begin() {
        Lsn finalLsn = Lsn.of(readLong());
        Instant at = timestamp(readLong());
        long xid = Integer.toUnsignedLong(readInt());
        inTransaction = true;
        return new ChangeEvent.Begin(xid, finalLsn, at);
    }

    private ChangeEvent commit() {
        readByte(); // flags, unused
        Lsn commitLsn = Lsn.of(readLong());
        Lsn endLsn = Lsn.of(readLong());
        Instant at = timestamp(readLong());
        inTransaction = false;
        return new ChangeEvent.Commit(commitLsn, endLsn, at);
    }

    private ChangeEvent relation() {
        int relId = readInt();
        String namespace = readString();
        String name = readString();
        char identity = (char) readByte();
        int n = readShort();
        List<RelationMessage.Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean key = (readByte() & 1) != 0;
            String col = readString();
            int typeOid = readInt();
            int typmod = readInt();
            columns.add(new RelationMessage.Column(col, typeOid, typmod, key));
        }
        // pgoutput sends an empty namespace for pg_catalog
        RelationMessage message = new RelationMessage(relId, namespace.isEmpty() ? "pg_catalog" : namespace, name,
                identity, columns);
        TableSchema schema = resolver.resolve(message);
        if (schema.columns().size() != n) {
            throw new IllegalStateException("resolved schema of " + schema.table() + " has " + schema.columns().size()
                    + " columns but the Relation message has " + n);
        }
        TextDecoder[] decoders = new TextDecoder[n];
        for (int i = 0; i < n; i++) {
            Column c = schema.columns().get(i);
            decoders[i] = PgTextDecoders.forType(c.type());
        }
        relations.put(relId, new DecodedRelation(schema, decoders));
        return new ChangeEvent.Relation(schema);
    }

    private ChangeEvent type() {
        int oid = readInt();
        resolver.typeChanged(oid);
        return null;
    }

    private ChangeEvent insert() {
        int relId = readInt();
        DecodedRelation r = relation(relId);
        expect('N');
        return new ChangeEvent.Insert(r.schema.table(), tuple(r), Integer.toUnsignedLong(relId));
    }

    private ChangeEvent update() {
        int relId = readInt();
        DecodedRelation r = relation(relId);
        byte kind = readByte();
        Row old = null;
        if (kind == 'K' || kind == 'O') {
            old = tuple(r);
            kind = readByte();
        }
        if (kind != 'N') {
            throw new IllegalStateException("expected 'N' in Update of " + r.schema.table() + ", got '" + (char) kind + "'");
        }
        return new ChangeEvent.Update(r.schema.table(), old, tuple(r), Integer.toUnsignedLong(relId));
    }

    private ChangeEvent delete() {
        int relId = readInt();
        DecodedRelation r = relation(relId);
        byte kind = readByte();
        if (kind != 'K' && kind != 'O') {
            throw new IllegalStateException("expected 'K' or 'O' in Delete of " + r.schema.table() + ", got '"
                    + (char) kind + "'");
        }
        return new ChangeEvent.Delete(r.schema.table(), tuple(r), Integer.toUnsignedLong(relId));
    }

    private ChangeEvent truncate() {
        int n = readInt();
        readByte(); // options: CASCADE / RESTART IDENTITY, irrelevant to the target
        List<TableRef> tables = new ArrayList<>(n);
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int relId = readInt();
            tables.add(relation(relId).schema.table());
            ids.add(Integer.toUnsignedLong(relId));
        }
        return new ChangeEvent.Truncate(tables, ids);
    }

    private Row tuple(DecodedRelation r) {
        int n = readShort();
        TextDecoder[] decoders = r.decoders;
        if (n != decoders.length) {
            throw new IllegalStateException("tuple of " + r.schema.table() + " has " + n + " columns, its Relation "
                    + decoders.length);
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            byte kind = readByte();
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> values[i] = UnchangedToast.INSTANCE;
                case 't' -> {
                    int len = readInt();
                    if (len < 0 || p + len > end) {
                        throw new IllegalStateException("pgoutput message ended early: value length " + len + " runs past its end");
                    }
                    try {
                        values[i] = decoders[i].decode(b, p, len);
                    } catch (PgValueFormatException e) {
                        throw PgValueFormatException.in(r.schema.table() + "." + r.schema.columns().get(i).name(), e);
                    }
                    p += len;
                }
                default -> throw new IllegalStateException("unsupported tuple value kind '" + (char) kind + "' in "
                        + r.schema.table() + " (binary format is not requested)");
            }
        }
        return Row.wrap(values);
    }

    private DecodedRelation relation(int relId) {
        DecodedRelation r = relations.get(relId);
        if (r == null) {
            throw new IllegalStateException("change for relation id " + relId + " arrived before its Relation message");
        }
        return r;
    }

    private static Instant timestamp(long microsSince2000) {
        long seconds = Math.floorDiv(microsSince2000, 1_000_000L);
        long micros = Math.floorMod(microsSince2000, 1_000_000L);
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + seconds, micros * 1000);
    }

    private void expect(char c) {
        byte got = readByte();
        if (got != c) {
            throw new IllegalStateException("expected '" + c + "', got '" + (char) got + "'");
        }
    }

    private byte readByte() {
        if (p >= end) {
            throw new IllegalStateException("pgoutput message ended early");
        }
        return b[p++];
    }

    private int readShort() {
        if (p + 2 > end) {
            throw new IllegalStateException("pgoutput message ended early");
        }
        int v = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
        p += 2;
        return v;
    }

    private int readInt() {
        if (p + 4 > end) {
            throw new IllegalStateException("pgoutput message ended early");
        }
        int v = ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
        p += 4;
        return v;
    }

    private long readLong() {
        long hi = readInt() & 0xffffffffL;
        long lo = readInt() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    private String readString() {
        int start = p;
        while (p < end && b[p] != 0) {
            p++;
        }
        if (p >= end) {
            throw new IllegalStateException("unterminated string in pgoutput message");
        }
        String s = new String(b, start, p - start, StandardCharsets.UTF_8);
        p++;
        return s;
    }

    private record DecodedRelation(TableSchema schema, TextDecoder[] decoders) {
    }
}

package io.echodb.adapters.clickhouse;

import io.echodb.core.model.InvalidValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A ClickHouse column type, parsed from its SQL spelling (as {@code system.columns} and RowBinaryWithNamesAndTypes
 * report it) so that types are compared structurally, never as strings. Covers the types this adapter creates and
 * their widenings; anything else parses as {@link Other} and is compared by text.
 */
public sealed interface ChType {

    /** The SQL spelling, e.g. {@code Nullable(Decimal(10, 2))}. */
    String sql();

    /** Scalar types without parameters. */
    enum Kind {
        BOOL("Bool"), INT8("Int8"), INT16("Int16"), INT32("Int32"), INT64("Int64"), INT128("Int128"), INT256("Int256"),
        UINT8("UInt8"), UINT16("UInt16"), UINT32("UInt32"), UINT64("UInt64"), UINT128("UInt128"), UINT256("UInt256"),
        FLOAT32("Float32"), FLOAT64("Float64"), STRING("String"), DATE("Date"), DATE32("Date32"), DATETIME("DateTime"),
        UUID("UUID"), JSON("JSON");

        private final String sqlName;

        Kind(String sqlName) {
            this.sqlName = sqlName;
        }

        public String sqlName() {
            return sqlName;
        }

        static Kind byName(String name) {
            for (Kind k : values()) {
                if (k.sqlName.equals(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    record Simple(Kind kind) implements ChType {
        public Simple {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String sql() {
            return kind.sqlName();
        }
    }

    record Nullable(ChType inner) implements ChType {
        public Nullable {
            Objects.requireNonNull(inner, "inner");
        }

        @Override
        public String sql() {
            return "Nullable(" + inner.sql() + ")";
        }
    }

    record LowCardinality(ChType inner) implements ChType {
        public LowCardinality {
            Objects.requireNonNull(inner, "inner");
        }

        @Override
        public String sql() {
            return "LowCardinality(" + inner.sql() + ")";
        }
    }

    record Array(ChType element) implements ChType {
        public Array {
            Objects.requireNonNull(element, "element");
        }

        @Override
        public String sql() {
            return "Array(" + element.sql() + ")";
        }
    }

    record Decimal(int precision, int scale) implements ChType {
        public Decimal {
            if (precision < 1 || precision > 76 || scale < 0 || scale > precision) {
                throw InvalidValueException.of("ClickHouse Decimal", precision + "," + scale, "needs 1 <= P <= 76 and 0 <= S <= P");
            }
        }

        /** Bytes of the underlying integer: 4, 8, 16 or 32. */
        public int width() {
            return precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32;
        }

        @Override
        public String sql() {
            return "Decimal(" + precision + ", " + scale + ")";
        }
    }

    /** {@code timezone} is null for {@code DateTime64(p)} (values shown in the server's zone). */
    record DateTime64(int precision, String timezone) implements ChType {
        public DateTime64 {
            if (precision < 0 || precision > 9) {
                throw InvalidValueException.of("ClickHouse DateTime64 precision", precision, "must be 0..9");
            }
        }

        @Override
        public String sql() {
            return "DateTime64(" + precision + (timezone == null ? "" : ", " + ClickHouseSql.literal(timezone)) + ")";
        }
    }

    /** A type this adapter neither creates nor writes; kept by its normalized text. */
    record Other(String text) implements ChType {
        @Override
        public String sql() {
            return text;
        }
    }

    ChType BOOL = new Simple(Kind.BOOL);
    ChType INT16 = new Simple(Kind.INT16);
    ChType INT32 = new Simple(Kind.INT32);
    ChType INT64 = new Simple(Kind.INT64);
    ChType UINT8 = new Simple(Kind.UINT8);
    ChType UINT128 = new Simple(Kind.UINT128);
    ChType FLOAT32 = new Simple(Kind.FLOAT32);
    ChType FLOAT64 = new Simple(Kind.FLOAT64);
    ChType STRING = new Simple(Kind.STRING);
    ChType DATE32 = new Simple(Kind.DATE32);
    ChType UUID = new Simple(Kind.UUID);
    ChType JSON = new Simple(Kind.JSON);

    /** This type without Nullable and LowCardinality wrappers. */
    default ChType base() {
        ChType t = this;
        while (true) {
            if (t instanceof Nullable n) {
                t = n.inner();
            } else if (t instanceof LowCardinality l) {
                t = l.inner();
            } else {
                return t;
            }
        }
    }

    /** True when a value of this type may be NULL. */
    default boolean isNullable() {
        if (this instanceof Nullable) {
            return true;
        }
        return this instanceof LowCardinality l && l.inner().isNullable();
    }

    /** The Nullable form ClickHouse accepts: arrays stay as they are, LowCardinality wraps the Nullable. */
    static ChType nullable(ChType t) {
        if (t.isNullable() || t instanceof Array) {
            return t;
        }
        if (t instanceof LowCardinality l) {
            return new LowCardinality(new Nullable(l.inner()));
        }
        return new Nullable(t);
    }

    /** The type without its Nullable wrapper (LowCardinality kept). */
    static ChType nonNullable(ChType t) {
        if (t instanceof Nullable n) {
            return n.inner();
        }
        if (t instanceof LowCardinality l && l.inner() instanceof Nullable n) {
            return new LowCardinality(n.inner());
        }
        return t;
    }

    /** Parses a type spelled the way ClickHouse prints it. */
    static ChType parse(String text) {
        Objects.requireNonNull(text, "text");
        Parser p = new Parser(text);
        ChType t = p.type();
        p.skipBlanks();
        if (!p.atEnd()) {
            return new Other(text.trim());
        }
        return t;
    }

    /** A small recursive-descent reader over ClickHouse type spellings. */
    final class Parser {
        private final String s;
        private int i;

        private Parser(String s) {
            this.s = s;
        }

        ChType type() {
            int start = skipBlanks();
            String name = word();
            List<Object> args = new ArrayList<>();
            skipBlanks();
            boolean hasArgs = !atEnd() && s.charAt(i) == '(';
            if (hasArgs) {
                i++;
                args = arguments();
            }
            String whole = s.substring(start, i).trim();
            return build(name, hasArgs, args, whole);
        }

        private ChType build(String name, boolean hasArgs, List<Object> args, String whole) {
            try {
                switch (name) {
                    case "Nullable":
                        return new Nullable(onlyType(args, whole));
                    case "LowCardinality":
                        return new LowCardinality(onlyType(args, whole));
                    case "Array":
                        return new Array(onlyType(args, whole));
                    case "Decimal":
                        return args.size() == 2 ? new Decimal(number(args.get(0)), number(args.get(1)))
                                : args.size() == 1 ? new Decimal(number(args.get(0)), 0) : new Other(whole);
                    case "Decimal32":
                        return new Decimal(9, number(args.get(0)));
                    case "Decimal64":
                        return new Decimal(18, number(args.get(0)));
                    case "Decimal128":
                        return new Decimal(38, number(args.get(0)));
                    case "Decimal256":
                        return new Decimal(76, number(args.get(0)));
                    case "DateTime64":
                        if (args.isEmpty() || args.size() > 2) {
                            return new Other(whole);
                        }
                        return new DateTime64(number(args.get(0)), args.size() == 2 ? (String) args.get(1) : null);
                    case "JSON":
                    case "Object":
                        // JSON(max_dynamic_paths=...) and friends are still the JSON type for reading and writing.
                        return name.equals("JSON") ? JSON : new Other(whole);
                    default:
                        Kind kind = Kind.byName(name);
                        return kind != null && !hasArgs ? new Simple(kind) : new Other(whole);
                }
            } catch (RuntimeException e) {
                return new Other(whole);
            }
        }

        private static ChType onlyType(List<Object> args, String whole) {
            if (args.size() == 1 && args.get(0) instanceof ChType t) {
                return t;
            }
            throw new IllegalArgumentException("unexpected arguments in " + whole);
        }

        private static int number(Object arg) {
            if (arg instanceof ChType.Other o) {
                return Integer.parseInt(o.text());
            }
            throw new IllegalArgumentException("not a number: " + arg);
        }

        /** Arguments after '(' up to the matching ')': types, numbers (as Other) or quoted strings (as String). */
        private List<Object> arguments() {
            List<Object> args = new ArrayList<>();
            while (true) {
                skipBlanks();
                if (atEnd()) {
                    throw new IllegalArgumentException("unclosed parenthesis");
                }
                char c = s.charAt(i);
                if (c == ')') {
                    i++;
                    return args;
                }
                if (c == ',') {
                    i++;
                    continue;
                }
                if (c == '\'') {
                    args.add(quoted());
                } else if (Character.isDigit(c)) {
                    int start = i;
                    while (!atEnd() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    args.add(new Other(s.substring(start, i)));
                } else {
                    args.add(argumentType());
                }
            }
        }

        /** A nested type, or a named argument such as {@code max_dynamic_paths=16} kept as Other text. */
        private Object argumentType() {
            int start = i;
            int depth = 0;
            while (!atEnd()) {
                char c = s.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    break;
                } else if (c == '\'') {
                    quoted();
                    continue;
                }
                i++;
            }
            String piece = s.substring(start, i);
            return piece.contains("=") ? new Other(piece.trim()) : ChType.parse(piece);
        }

        private String quoted() {
            StringBuilder sb = new StringBuilder();
            i++;
            while (!atEnd()) {
                char c = s.charAt(i++);
                if (c == '\\' && !atEnd()) {
                    sb.append(s.charAt(i++));
                } else if (c == '\'') {
                    if (!atEnd() && s.charAt(i) == '\'') {
                        sb.append('\'');
                        i++;
                    } else {
                        return sb.toString();
                    }
                } else {
                    sb.append(c);
                }
            }
            throw new IllegalArgumentException("unclosed quote");
        }

        private String word() {
            int start = i;
            while (!atEnd() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            return s.substring(start, i);
        }

        int skipBlanks() {
            while (!atEnd() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }

        boolean atEnd() {
            return i >= s.length();
        }
    }
}

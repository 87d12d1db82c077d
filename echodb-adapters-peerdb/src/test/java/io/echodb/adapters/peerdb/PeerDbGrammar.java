package io.echodb.adapters.peerdb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test-side reader of the PeerDB statements EchoDB emits, following the rules of PeerDB's parser (sqlparser-rs 0.62,
 * PostgreSQL dialect, plus PeerDB's own grammar in nexus/parser): words start with a letter, {@code _} or any non-ASCII
 * character and go on with letters, ASCII digits, {@code _}, {@code $} or non-ASCII characters; {@code '…'} strings
 * double the quote and treat backslash literally; {@code "…"} is a quoted identifier. It answers what PeerDB would
 * see: the object names as PeerDB's analyzer prints them ({@code ObjectName.to_string()}: parts joined by dots, quoted
 * parts with their quotes) and the option values after unescaping. Anything it cannot read fails the test.
 */
final class PeerDbGrammar {

    enum Kind { WORD, STRING, QUOTED_IDENT, NUMBER, PUNCT }

    record Token(Kind kind, String text) { }

    /** An option value: its token kind and unescaped text. */
    record Value(Kind kind, String text) { }

    record CreatePeer(boolean ifNotExists, String name, String type, Map<String, Value> options) { }

    record Mapping(String source, String destination) { }

    record CreateMirror(boolean ifNotExists, String name, String sourcePeer, String targetPeer, List<Mapping> mappings,
                        Map<String, Value> options) { }

    record MirrorCommand(String verb, boolean ifExists, String name) { }

    private final List<Token> tokens;
    private int pos;

    private PeerDbGrammar(String sql) {
        this.tokens = tokenize(sql);
    }

    static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else if (c == '\'') {
                StringBuilder s = new StringBuilder();
                i++;
                while (true) {
                    if (i >= sql.length()) {
                        throw new AssertionError("unterminated string in: " + sql);
                    }
                    char d = sql.charAt(i);
                    if (d == '\'') {
                        if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                            s.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    s.append(d);
                    i++;
                }
                out.add(new Token(Kind.STRING, s.toString()));
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                if (end < 0) {
                    throw new AssertionError("unterminated identifier in: " + sql);
                }
                out.add(new Token(Kind.QUOTED_IDENT, sql.substring(i + 1, end)));
                i = end + 1;
            } else if (isWordStart(c)) {
                int j = i + 1;
                while (j < sql.length() && isWordPart(sql.charAt(j))) {
                    j++;
                }
                out.add(new Token(Kind.WORD, sql.substring(i, j)));
                i = j;
            } else if (c >= '0' && c <= '9') {
                int j = i + 1;
                while (j < sql.length() && Character.isDigit(sql.charAt(j)) && sql.charAt(j) < 128) {
                    j++;
                }
                out.add(new Token(Kind.NUMBER, sql.substring(i, j)));
                i = j;
            } else if ("().,:=;".indexOf(c) >= 0) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            } else {
                throw new AssertionError("unexpected character '" + c + "' at " + i + " in: " + sql);
            }
        }
        return out;
    }

    static CreatePeer createPeer(String sql) {
        PeerDbGrammar g = new PeerDbGrammar(sql);
        g.keyword("CREATE");
        g.keyword("PEER");
        boolean ine = g.ifNotExists();
        String name = g.objectName();
        g.keyword("FROM");
        String type = g.word().toUpperCase(Locale.ROOT);
        Map<String, Value> options = g.withOptions();
        g.end();
        return new CreatePeer(ine, name, type, options);
    }

    static CreateMirror createMirror(String sql) {
        PeerDbGrammar g = new PeerDbGrammar(sql);
        g.keyword("CREATE");
        g.keyword("MIRROR");
        boolean ine = g.ifNotExists();
        String name = g.objectName();
        g.keyword("FROM");
        String src = g.objectName();
        g.keyword("TO");
        String dst = g.objectName();
        g.keyword("WITH");
        g.keyword("TABLE");
        g.keyword("MAPPING");
        g.punct("(");
        List<Mapping> mappings = new ArrayList<>();
        do {
            String from = g.objectName();
            g.punct(":");
            String to = g.objectName();
            mappings.add(new Mapping(from, to));
        } while (g.maybePunct(","));
        g.punct(")");
        Map<String, Value> options = g.withOptions();
        g.end();
        return new CreateMirror(ine, name, src, dst, mappings, options);
    }

    /** DROP/PAUSE/RESUME/RESYNC MIRROR [IF EXISTS] name. */
    static MirrorCommand mirrorCommand(String sql) {
        PeerDbGrammar g = new PeerDbGrammar(sql);
        String verb = g.word().toUpperCase(Locale.ROOT);
        g.keyword("MIRROR");
        boolean ifExists = false;
        if (g.peekWord("IF") && g.peekWordAt(1, "EXISTS")) {
            g.pos += 2;
            ifExists = true;
        }
        String name = g.objectName();
        g.end();
        return new MirrorCommand(verb, ifExists, name);
    }

    private boolean ifNotExists() {
        if (peekWord("IF") && peekWordAt(1, "NOT") && peekWordAt(2, "EXISTS")) {
            pos += 3;
            return true;
        }
        return false;
    }

    /** Parts joined by dots; quoted parts keep their quotes, as PeerDB's analyzer prints them. */
    private String objectName() {
        StringBuilder s = new StringBuilder(identifier());
        while (maybePunct(".")) {
            s.append('.').append(identifier());
        }
        return s.toString();
    }

    private String identifier() {
        Token t = next();
        return switch (t.kind()) {
            case WORD -> t.text();
            case QUOTED_IDENT -> "\"" + t.text() + "\"";
            default -> throw new AssertionError("expected identifier, got " + t);
        };
    }

    private Map<String, Value> withOptions() {
        Map<String, Value> options = new LinkedHashMap<>();
        if (pos < tokens.size() && peekWord("WITH")) {
            pos++;
            punct("(");
            do {
                String key = word();
                punct("=");
                Token v = next();
                Value value = switch (v.kind()) {
                    case STRING, NUMBER -> new Value(v.kind(), v.text());
                    case WORD -> {
                        if (!v.text().equalsIgnoreCase("true") && !v.text().equalsIgnoreCase("false")) {
                            throw new AssertionError("option " + key + " has a bare word value " + v.text());
                        }
                        yield new Value(Kind.WORD, v.text().toLowerCase(Locale.ROOT));
                    }
                    default -> throw new AssertionError("bad value for " + key + ": " + v);
                };
                if (options.put(key, value) != null) {
                    throw new AssertionError("duplicate option " + key);
                }
            } while (maybePunct(","));
            punct(")");
        }
        return options;
    }

    private String word() {
        Token t = next();
        if (t.kind() != Kind.WORD) {
            throw new AssertionError("expected a word, got " + t);
        }
        return t.text();
    }

    private void keyword(String kw) {
        String w = word();
        if (!w.equalsIgnoreCase(kw)) {
            throw new AssertionError("expected " + kw + ", got " + w);
        }
    }

    private void punct(String p) {
        Token t = next();
        if (t.kind() != Kind.PUNCT || !t.text().equals(p)) {
            throw new AssertionError("expected '" + p + "', got " + t);
        }
    }

    private boolean maybePunct(String p) {
        if (pos < tokens.size() && tokens.get(pos).kind() == Kind.PUNCT && tokens.get(pos).text().equals(p)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean peekWord(String w) {
        return peekWordAt(0, w);
    }

    private boolean peekWordAt(int offset, String w) {
        int i = pos + offset;
        return i < tokens.size() && tokens.get(i).kind() == Kind.WORD && tokens.get(i).text().equalsIgnoreCase(w);
    }

    private Token next() {
        if (pos >= tokens.size()) {
            throw new AssertionError("statement ended early");
        }
        return tokens.get(pos++);
    }

    private void end() {
        if (pos != tokens.size()) {
            throw new AssertionError("trailing tokens from " + tokens.get(pos) + " on: " + tokens.subList(pos, tokens.size()));
        }
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127;
    }

    private static boolean isWordPart(char c) {
        return Character.isLetter(c) || (c >= '0' && c <= '9') || c == '$' || c == '_' || c > 127;
    }
}

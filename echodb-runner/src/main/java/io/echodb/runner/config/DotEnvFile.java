package io.echodb.runner.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file the way docker compose does for the common cases: {@code KEY=VALUE}, optional
 * {@code export }, blank lines and {@code #} comments, single quotes (literal), double quotes (with {@code \n \" \\}
 * escapes), and {@code  # comment} after an unquoted value (the seed's .env.example uses that).
 */
public final class DotEnvFile {

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private DotEnvFile() {
    }

    public static Map<String, String> read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.conflict("ECHODB_ENV_FILE: cannot read '" + path + "': " + e.getMessage());
        }
        return parse(lines, path.toString());
    }

    static Map<String, String> parse(List<String> lines, String source) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            if (eq < 0 || !KEY.matcher(key).matches()) {
                throw ConfigException.conflict(source + " line " + (i + 1) + ": expected KEY=VALUE");
            }
            out.put(key, value(line.substring(eq + 1).strip(), source, i + 1));
        }
        return out;
    }

    private static String value(String raw, String source, int lineNo) {
        if (raw.startsWith("'")) {
            int end = raw.indexOf('\'', 1);
            if (end < 0) {
                throw ConfigException.conflict(source + " line " + lineNo + ": unterminated single quote");
            }
            return raw.substring(1, end);
        }
        if (raw.startsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '\\' && i + 1 < raw.length()) {
                    char n = raw.charAt(++i);
                    switch (n) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case '"', '\\', '$' -> sb.append(n);
                        default -> sb.append('\\').append(n);
                    }
                } else if (c == '"') {
                    return sb.toString();
                } else {
                    sb.append(c);
                }
            }
            throw ConfigException.conflict(source + " line " + lineNo + ": unterminated double quote");
        }
        int hash = raw.indexOf(" #");
        int tab = raw.indexOf("\t#");
        int cut = hash < 0 ? tab : (tab < 0 ? hash : Math.min(hash, tab));
        return (cut < 0 ? raw : raw.substring(0, cut)).strip();
    }
}

package io.echodb.core.model;

import java.util.regex.Pattern;

/**
 * A table name pattern: {@code *} is any run of characters, {@code ?} one character; a glob containing a dot matches
 * {@code schema.table}, otherwise the bare table name. Case-sensitive like PostgreSQL names.
 */
public record TableGlob(String glob, Pattern regex) {

    public TableGlob {
        if (glob == null || glob.isBlank()) {
            throw InvalidValueException.of("table pattern", glob, "must not be blank");
        }
    }

    public static TableGlob of(String glob) {
        if (glob == null || glob.isBlank()) {
            throw InvalidValueException.of("table pattern", glob, "must not be blank");
        }
        return new TableGlob(glob, toRegex(glob));
    }

    public boolean matches(TableRef table) {
        return regex.matcher(glob.contains(".") ? table.qualified() : table.name()).matches();
    }

    private static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public String toString() {
        return glob;
    }
}

package io.echodb.core.testing.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the end of a server's log file for error messages. */
public final class LogFiles {
    private LogFiles() {
    }

    /** The last {@code maxChars} characters of {@code file} (prefixed with "..." when cut), or why it cannot be read. */
    public static String tail(Path file, int maxChars) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return s.length() <= maxChars ? s : "..." + s.substring(s.length() - maxChars);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}

package io.echodb.runner.http;

import io.echodb.runner.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Bearer-token check for mutating endpoints. The comparison runs in constant time over SHA-256 digests, so neither
 * the token's content nor its length leaks through timing.
 */
final class AdminAuth {

    /** Outcome of checking a request's Authorization header. */
    enum Verdict { ALLOWED, DISABLED, MISSING, WRONG }

    private final byte[] expectedDigest;

    AdminAuth(Secret token) {
        this.expectedDigest = token.isEmpty() ? null : sha256(token.reveal());
    }

    Verdict check(String authorizationHeader) {
        if (expectedDigest == null) {
            return Verdict.DISABLED;
        }
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return Verdict.MISSING;
        }
        String h = authorizationHeader.strip();
        if (!h.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return Verdict.MISSING;
        }
        byte[] given = sha256(h.substring("bearer ".length()).strip());
        return MessageDigest.isEqual(expectedDigest, given) ? Verdict.ALLOWED : Verdict.WRONG;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}

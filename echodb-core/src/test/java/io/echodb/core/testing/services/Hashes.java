package io.echodb.core.testing.services;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes for naming cached, extracted binaries. */
public final class Hashes {
    private Hashes() {
    }

    /** SHA-256 of {@code data} as lower-case hex. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

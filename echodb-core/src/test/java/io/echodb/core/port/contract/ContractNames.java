package io.echodb.core.port.contract;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique, lower-case, short identifiers for contract tests that share one real database per test class. */
final class ContractNames {

    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private ContractNames() {
    }

    /** e.g. {@code ct_k3f_12}: unique within this JVM and very likely across runs on one database. */
    static String unique(String prefix) {
        return prefix + "_" + RUN + "_" + SEQ.incrementAndGet();
    }
}

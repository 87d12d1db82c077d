package io.echodb.runner.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.echodb.runner.config.Redactor;

/** Logback {@code %redactedEx}: stack traces whose messages (driver errors may quote URLs) are redacted too. */
public final class RedactingThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return Redactor.global().redact(super.throwableProxyToString(tp));
    }
}

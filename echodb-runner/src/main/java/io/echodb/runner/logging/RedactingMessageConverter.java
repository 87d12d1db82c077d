package io.echodb.runner.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.echodb.runner.config.Redactor;

/** Logback {@code %redactedMsg}: the formatted message with every configured secret and URL credential masked. */
public final class RedactingMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Redactor.global().redact(super.convert(event));
    }
}

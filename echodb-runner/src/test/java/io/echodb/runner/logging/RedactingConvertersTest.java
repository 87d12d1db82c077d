package io.echodb.runner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.config.Secret;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The log pattern's converters mask registered secrets in messages and in stack traces. */
class RedactingConvertersTest {

    private static final String SECRET = "log-secret-7f3a9c";

    @Test
    void messagesAndStackTracesAreRedacted() {
        Redactor.global().register(Secret.of(SECRET));
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("io.echodb.test"), Level.WARN,
                "login with {} failed for jdbc:postgresql://u:{}@db/x", new SQLException("password " + SECRET + " rejected"),
                new Object[] {SECRET, "other-pw"});

        RedactingMessageConverter message = new RedactingMessageConverter();
        message.start();
        assertThat(message.convert(event)).isEqualTo("login with **** failed for jdbc:postgresql://u:****@db/x");

        RedactingThrowableConverter throwable = new RedactingThrowableConverter();
        throwable.setContext(context);
        throwable.start();
        String trace = throwable.convert(event);
        assertThat(trace).contains("java.sql.SQLException: password **** rejected").doesNotContain(SECRET);
    }
}

package io.echodb.runner.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies LOG_LEVEL to EchoDB's own loggers at start-up (the value may come from the .env file, so logback.xml cannot). */
public final class LogLevels {

    private LogLevels() {
    }

    public static void apply(String level) {
        if (LoggerFactory.getLogger("io.echodb") instanceof Logger logger) {
            logger.setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}

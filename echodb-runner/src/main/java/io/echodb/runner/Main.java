package io.echodb.runner;

import io.echodb.runner.wiring.StartupException;

import io.echodb.runner.config.ConfigDocs;
import io.echodb.runner.config.ConfigException;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.logging.LogLevels;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code java -jar echodb-runner.jar}: loads the configuration (exit 2 with one line on stderr when a value is bad),
 * starts the application (exit 1 when it cannot start) and runs until the process is stopped.
 * {@code --check-config} validates and prints the effective configuration (secrets masked) and exits;
 * {@code --config-docs} prints the configuration reference in Markdown.
 */
public final class Main {

    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_BAD_CONFIG = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /** Everything {@link #main} does, with the environment passed in; blocks while the application runs. */
    public static int run(String[] args, Map<String, String> env, Path workingDir, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--config-docs")) {
            out.print(ConfigDocs.render());
            return EXIT_OK;
        }
        EchoDbConfig config;
        try {
            config = EchoDbConfig.load(env, workingDir);
        } catch (ConfigException e) {
            e.getMessage().lines().forEach(line -> err.println("configuration error: " + line));
            return EXIT_BAD_CONFIG;
        }
        Redactor.global().register(config);
        if (Arrays.asList(args).contains("--check-config")) {
            config.describe().forEach(out::println);
            return EXIT_OK;
        }
        LogLevels.apply(config.logLevel());
        EchoDbApplication app;
        try {
            app = EchoDbApplication.start(config);
        } catch (StartupException e) {
            err.println("start-up error: " + firstLine(Redactor.global().redact(e.getMessage())));
            return EXIT_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "echodb-shutdown"));
        app.awaitTermination();
        return EXIT_OK;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl) + " (details in the log)";
    }
}

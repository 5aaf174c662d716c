package dev.bsg.server;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.bsg.gateway.settings.Settings;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The running server's log, to stdout: the application log and the access log ({@code bsg.access}, one line per
 * request), as text or as one JSON object per line ({@code logging.format}). Libraries log warnings only.
 */
final class ServerLogging {
    private static final String TEXT = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %-5level %logger{24} - %msg %kvp{NONE}%n";
    private static final Map<String, Level> LIBRARIES = Map.of(
            "org.eclipse.jetty", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            "org.flywaydb", Level.WARN,
            "software.amazon.awssdk", Level.WARN,
            "io.lettuce", Level.WARN,
            "io.netty", Level.WARN,
            "no.nav.security", Level.WARN);

    private ServerLogging() {}

    static void configure(Settings.Logging settings) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        context.reset();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("stdout");
        out.setTarget("System.out");
        out.setEncoder(encoder(context, settings.format()));
        out.start();
        // Requests hand their lines to a queue rather than wait on stdout; none is dropped when it fills.
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0);
        async.addAppender(out);
        async.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(async);
        LIBRARIES.forEach((name, level) -> context.getLogger(name).setLevel(level));
        context.getLogger("bsg.access").setLevel(settings.accessLog() ? Level.INFO : Level.OFF);
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
        if (format.equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT);
        text.start();
        return text;
    }

    /** Writes out what the async appender still holds; the last lines before a shutdown are not lost. */
    static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) context.stop();
    }
}

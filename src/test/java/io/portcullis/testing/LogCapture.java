package io.portcullis.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the log lines (level and formatted message) of one class's logger while open. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(Class<?> source) {
        this(source.getName());
    }

    /** Captures a logger by name, such as {@code portcullis.audit}. */
    public LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** "LEVEL message" for every line at INFO or above. */
    public List<String> lines() {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under the appender's lock, on whichever thread logs
            events = List.copyOf(appender.list);
        }
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage())
                .toList();
    }

    /** When each line at INFO or above that contains {@code text} was logged, in order. */
    public List<Instant> times(String text) {
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO) && e.getFormattedMessage().contains(text))
                .map(e -> Instant.ofEpochMilli(e.getTimeStamp()))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}

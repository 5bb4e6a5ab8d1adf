package io.portcullis.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counts Netty's buffer-leak reports ({@code LEAK: ...} from {@code ResourceLeakDetector}), so that
 * {@link LeakCheckExtension} can fail a test class that leaked. Wired in {@code logback-test.xml}.
 */
public final class LeakCountingAppender extends AppenderBase<ILoggingEvent> {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK:")) {
            LEAKS.add(message);
        }
    }

    static List<String> leaks() {
        return List.copyOf(LEAKS);
    }

    static void clear() {
        LEAKS.clear();
    }
}

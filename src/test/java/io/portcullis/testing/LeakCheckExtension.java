package io.portcullis.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (STYLE habit 10). Registered for every test
 * through JUnit's extension auto-detection; surefire runs with {@code -Dio.netty.leakDetection.level=paranoid}.
 *
 * <p>Leaks are only noticed after the garbage collector has cleared the lost buffer and a later allocation polls
 * the detector, so the check collects and allocates before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        for (int i = 0; i < 3; i++) {
            System.gc();
            for (int j = 0; j < 64; j++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                probe.release();
            }
        }
        List<String> leaks = LeakCountingAppender.leaks();
        LeakCountingAppender.clear();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }
}

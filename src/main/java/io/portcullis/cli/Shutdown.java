package io.portcullis.cli;

import io.portcullis.server.Gateway;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Graceful shutdown on SIGTERM and SIGINT: drain (stop accepting, finish in-flight requests up to the drain
 * timeout), then exit 0. A signal handler rather than a shutdown hook, because a hook cannot choose the exit
 * status (the JVM would exit 143).
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private Shutdown() {}

    static void onSignal(Gateway gateway, Duration drainTimeout, AutoCloseable alsoClose) {
        Runnable stop = () -> {
            LOG.info("signal received: draining for up to {}", drainTimeout);
            try {
                gateway.drain(drainTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gateway.close();
            if (alsoClose != null) {
                try {
                    alsoClose.close();
                } catch (Exception e) {
                    LOG.warn("closing demo backends failed: {}", e.toString());
                }
            }
            LOG.info("stopped");
            System.exit(0);
        };
        Signal.handle(new Signal("TERM"), s -> Thread.ofPlatform().name("portcullis-drain").start(stop));
        Signal.handle(new Signal("INT"), s -> Thread.ofPlatform().name("portcullis-drain").start(stop));
    }
}

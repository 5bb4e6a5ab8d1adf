package io.portcullis.testing;

import org.junit.jupiter.api.AfterEach;

/**
 * Base of the end-to-end suites that put a gateway in front of {@link NamedBackends}: each test sets
 * {@link #backends} and {@link #gw}; both are closed after it, the gateway first.
 */
public abstract class NamedBackendsAndGateway {
    protected NamedBackends backends;
    protected TestGateway gw;

    @AfterEach
    void closeGatewayAndBackends() {
        if (gw != null) {
            gw.close();
        }
        if (backends != null) {
            backends.close();
        }
    }
}

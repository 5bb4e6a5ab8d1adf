package io.portcullis.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of end-to-end tests that need one {@link TestBackend} behind one {@link TestGateway#simple simple} gateway,
 * both fresh for every test on loopback port 0.
 */
public abstract class BackendAndGateway {
    protected TestBackend backend;
    protected TestGateway gw;

    @BeforeEach
    void startBackendAndGateway() throws Exception {
        backend = new TestBackend();
        gw = TestGateway.simple(backend.address());
    }

    @AfterEach
    void stopBackendAndGateway() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }
}

package io.portcullis.upstream;

/** Receives the outcome of {@link EndpointPool#acquire}; called on the pool's event loop, possibly synchronously. */
public interface AcquireCallback {
    /** @param reused true when the connection came from the idle pool rather than a fresh connect */
    void onAcquired(UpstreamConnection connection, boolean reused);

    void onAcquireFailed(Throwable cause);
}

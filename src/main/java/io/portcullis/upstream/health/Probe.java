package io.portcullis.upstream.health;

import io.netty.channel.ChannelPipeline;

/**
 * What one kind of check does on a fresh connection to an endpoint ({@link TcpProbe}, {@link HttpProbe}). Immutable
 * and shared by every run for one endpoint; the per-connection state lives in the handlers it installs.
 */
interface Probe {

    /** Adds the handlers that run one check on a new, not yet connected channel; they report to {@code outcome}. */
    void install(ChannelPipeline pipeline, Outcome outcome);

    /** Where a probe reports, on the connection's loop. Only the first report of a run counts. */
    interface Outcome {
        void pass(String reason);

        void fail(String reason);
    }
}

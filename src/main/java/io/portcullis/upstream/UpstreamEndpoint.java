package io.portcullis.upstream;

import io.portcullis.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One resolved backend address of a cluster in one config snapshot. Identity matters: each event loop keeps one
 * {@link EndpointPool} per instance, so a reload that builds new endpoints also builds new pools.
 */
public final class UpstreamEndpoint {
    private final ClusterConfig cluster;
    private final InetSocketAddress address;
    private final String display;

    public UpstreamEndpoint(ClusterConfig cluster, ClusterConfig.Endpoint configured, InetSocketAddress address) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.address = Objects.requireNonNull(address, "address");
        this.display = configured.toString();
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The {@code host:port} as written in the config, for logs. */
    @Override
    public String toString() {
        return display;
    }
}

package io.portcullis.upstream;

import io.portcullis.config.ClusterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster at run time: its resolved endpoints and how the next one is chosen. Built off the event loop when a
 * snapshot is built (name resolution blocks); immutable afterwards but for the round-robin cursor.
 *
 * <p>Round robin is the only policy until the load-balancing issue brings the pluggable ones.
 */
public final class Cluster {
    private final ClusterConfig config;
    private final UpstreamEndpoint[] endpoints;
    private final AtomicInteger cursor = new AtomicInteger();

    private Cluster(ClusterConfig config, UpstreamEndpoint[] endpoints) {
        this.config = config;
        this.endpoints = endpoints;
    }

    /** Resolves every endpoint name now; an unresolvable name fails the snapshot build, naming it. */
    public static Cluster resolve(ClusterConfig config) throws UnknownHostException {
        List<ClusterConfig.Endpoint> configured = config.endpoints();
        UpstreamEndpoint[] endpoints = new UpstreamEndpoint[configured.size()];
        for (int i = 0; i < endpoints.length; i++) {
            ClusterConfig.Endpoint e = configured.get(i);
            InetAddress ip;
            try {
                ip = InetAddress.getByName(e.host());
            } catch (UnknownHostException ex) {
                throw new UnknownHostException("cluster " + config.name() + ": cannot resolve endpoint " + e);
            }
            endpoints[i] = new UpstreamEndpoint(config, e, new InetSocketAddress(ip, e.port()));
        }
        return new Cluster(config, endpoints);
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public List<UpstreamEndpoint> endpoints() {
        return List.of(endpoints);
    }

    /** The next endpoint in round-robin order. */
    public UpstreamEndpoint pick() {
        UpstreamEndpoint[] e = endpoints;
        return e.length == 1 ? e[0] : e[Math.floorMod(cursor.getAndIncrement(), e.length)];
    }
}

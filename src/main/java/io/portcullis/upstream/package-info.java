/**
 * Clusters and backend connections: resolved endpoints, endpoint choice, and per-event-loop connection pools:
 * HTTP/1.1 keep-alive connections (max idle, idle timeout, connect timeout) or, for {@code h2}/{@code h2c}
 * clusters, streams multiplexed over a few HTTP/2 connections; optionally over TLS with the cluster's CA, server
 * name and client certificate ({@link io.portcullis.upstream.UpstreamTransport}). Every pool belongs to one event
 * loop and is used only from it, so the hot path takes no locks. Knows nothing of downstream connections: it
 * reports response events to an {@link io.portcullis.upstream.UpstreamListener}.
 */
package io.portcullis.upstream;

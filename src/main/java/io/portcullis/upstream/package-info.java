/**
 * Clusters and backend connections: resolved endpoints, endpoint choice, and per-event-loop HTTP/1.1 connection
 * pools (keep-alive, max idle, idle timeout, connect timeout). Every pool belongs to one event loop and is used only
 * from it, so the hot path takes no locks. Knows nothing of downstream connections: it reports response events to
 * an {@link io.portcullis.upstream.UpstreamListener}.
 */
package io.portcullis.upstream;

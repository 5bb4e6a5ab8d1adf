/**
 * Endpoint choice: given the weights of a cluster's endpoints (and, for least request, their active request
 * counts), picks the index of the endpoint one request goes to. Sits in {@code upstream} between the route's chosen
 * cluster and the per-loop connection pools: the caller maps the index back to its endpoint and borrows a connection
 * from {@link io.portcullis.upstream.EndpointPool}.
 *
 * <p>Pure logic: no I/O, no Netty, no clocks; randomness is injected. Pickers are built from an immutable endpoint
 * list when a snapshot is built (or per event loop, see {@link io.portcullis.upstream.lb.LoadBalancer}) and never
 * change afterwards but for their cursors. Hashing request keys is the caller's job, helped by
 * {@link io.portcullis.upstream.lb.Hashing}.
 */
package io.portcullis.upstream.lb;

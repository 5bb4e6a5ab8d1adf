/**
 * The downstream side of the request path: listeners and the per-connection pipeline (TLS with SNI and ALPN,
 * strict HTTP/1.1 decoding or HTTP/2 streams, header-read and idle timeouts, pipelining order, HTTP/2 abuse
 * limits, redirect-to-HTTPS listeners), request validation, routing hand-off and the streaming
 * {@link io.portcullis.server.ProxyExchange} that ties one client request to one upstream connection or stream.
 * Also owns the gateway's lifecycle ({@link io.portcullis.server.Gateway}: start, snapshot swap, certificate
 * rotation per TLS listener, drain).
 *
 * <p>Depends on {@code config}, {@code tls}, {@code route}, {@code upstream}, {@code filter}, {@code resilience}
 * and {@code observe}; nothing depends on it but {@code cli}.
 */
package io.portcullis.server;

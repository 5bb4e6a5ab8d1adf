/**
 * The downstream side of the request path: listeners, the per-connection pipeline (strict HTTP/1.1 decoding,
 * header-read and idle timeouts, pipelining order), request validation, routing hand-off and the streaming
 * {@link io.portcullis.server.ProxyExchange} that ties one client request to one upstream connection. Also owns
 * the gateway's lifecycle ({@link io.portcullis.server.Gateway}: start, snapshot swap, drain).
 *
 * <p>Depends on {@code config}, {@code route}, {@code upstream} and {@code observe}; nothing depends on it but
 * {@code cli}.
 */
package io.portcullis.server;

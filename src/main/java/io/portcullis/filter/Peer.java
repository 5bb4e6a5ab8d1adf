package io.portcullis.filter;

import io.portcullis.tls.ClientIdentity;

/**
 * Who sent a request, as the connection it came on tells: what filters may base decisions on besides the request
 * itself (IP lists and authorization by certificate in the auth issue). One per downstream connection, shared by
 * its requests and HTTP/2 streams.
 *
 * @param address  the client's IP address as text
 * @param tls      the request came over TLS
 * @param identity the client certificate verified during the TLS handshake, or null
 */
public record Peer(String address, boolean tls, ClientIdentity identity) {}

/**
 * TLS termination groundwork, not yet wired into the listeners: loading a certificate chain and private key from
 * PEM files ({@link io.portcullis.tls.CertificateBundle}), choosing OpenSSL or the JDK as the TLS engine
 * ({@link io.portcullis.tls.TlsProvider}), and one Netty {@code SslContext} per bundle selected by the SNI
 * name the client sends ({@link io.portcullis.tls.SniContexts}).
 *
 * <p>Sits at the very front of the request path: a listener will put an {@code SniHandler} over
 * {@link io.portcullis.tls.SniContexts#mapping()} before the HTTP decoder. Everything here runs when the
 * config is loaded, off the event loops; a bad file is a {@link io.portcullis.tls.TlsConfigException} naming
 * it. Depends on nothing else in Portcullis.
 */
package io.portcullis.tls;

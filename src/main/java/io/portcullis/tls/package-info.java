/**
 * TLS termination groundwork, not yet wired into the listeners: loading a certificate chain and private key from
 * PEM files ({@link io.portcullis.tls.CertificateBundle}), choosing OpenSSL or the JDK as the TLS engine
 * ({@link io.portcullis.tls.TlsProvider}), and one Netty {@code SslContext} per bundle selected by the SNI
 * name the client sends ({@link io.portcullis.tls.SniContexts}). {@link io.portcullis.tls.CertificateReloader}
 * rotates certificates without a restart: it rebuilds a listener's contexts when its files change, refuses a broken
 * file and keeps the contexts in use, and lets connections already open finish on the contexts they started with.
 *
 * <p>Sits at the very front of the request path: a listener will put an {@code SniHandler} over
 * {@link io.portcullis.tls.SniContexts#mapping()} (or {@link io.portcullis.tls.CertificateReloader#mapping()})
 * before the HTTP decoder. Everything here runs off the request event loops, when the config is loaded or, for a
 * reload, on the control loop; a bad file is a {@link io.portcullis.tls.TlsConfigException} naming it. Depends on
 * nothing else in Portcullis.
 */
package io.portcullis.tls;

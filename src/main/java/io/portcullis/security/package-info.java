/**
 * Who may pass: the security filters a route's {@code security:} policy turns into, and the run-time state they
 * share (JWT verifiers with their key sources, API-key consumers, IP lists, certificate mappings), built with each
 * config snapshot by {@link io.portcullis.security.SecurityRuntime}. The filters always run in one order: response
 * headers, IP lists, CORS, authentication, authorization, validation, injection. The engines live in
 * sub-packages that know nothing of the gateway: {@code jwt}, {@code apikey}, {@code ip}, {@code validate},
 * {@code cors}, {@code injection}.
 */
package io.portcullis.security;

/**
 * API keys: the engine of the API-key filter, which sits on the request path right after routing
 * ({@code route → filter → upstream}) and turns a key presented in a header or query parameter into the
 * {@link io.portcullis.security.apikey.ApiConsumer} it belongs to, with its roles.
 *
 * <p>Only SHA-256 hashes are ever stored ({@code sha256:<64 hex>}, in config or in a YAML file read by
 * {@link io.portcullis.security.apikey.ApiKeyFile}); a plain key exists only in the request and, once, on the
 * terminal of whoever ran {@code portcullis keys add}. A consumer may have several keys, so a key is rotated by
 * adding the new one, moving clients, then removing the old one. {@link io.portcullis.security.apikey.ApiKeyStore}
 * is immutable and read by every event loop without locks; the final comparison is constant time.
 * Depends on {@code security.files}.
 */
package io.portcullis.security.apikey;

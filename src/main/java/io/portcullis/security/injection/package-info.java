/**
 * Detection of SQL injection and cross-site scripting in request values, for the injection filter. The package
 * owns the engine only: {@link io.portcullis.security.injection.InjectionDetector} takes a path, query string,
 * header value, form body or JSON body, normalises each value (percent, entity and backslash-escape decoding,
 * Unicode NFKC, case) and runs two tokenizing detectors over it, one that reads the value as SQL in each quoting
 * context it could have been pasted into, one that reads it as HTML. Which parts of a request to scan, the size
 * limits and what to answer belong to the filter and its configuration.
 */
package io.portcullis.security.injection;

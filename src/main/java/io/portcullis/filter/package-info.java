/**
 * Route filters: small steps with one job each that run after routing and before the upstream, in the order the
 * route names them. A filter sees the request head and either lets it continue (possibly after a delay) or answers
 * it; {@link io.portcullis.filter.FilterChain} enforces that it does exactly one. Fault injection is the first.
 */
package io.portcullis.filter;

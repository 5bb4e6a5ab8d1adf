/**
 * Observability that hangs off finished exchanges: the structured JSON access log, written by its own thread so
 * event loops never block on I/O. Depends on nothing else in Portcullis.
 */
package io.portcullis.observe;

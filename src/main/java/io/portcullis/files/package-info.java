/**
 * Watching files that the gateway re-reads when they change (certificates, IP lists, API keys): directory events,
 * debounced, on a virtual thread. Depends on nothing else in Portcullis.
 */
package io.portcullis.files;

/**
 * Configuration: parsing and validating YAML or JSON files into immutable {@link io.portcullis.config.GatewayConfig}
 * snapshots.
 *
 * <p>Sits beside the request path ({@code server → route → filter → upstream}) and feeds all of it: the server reads
 * listeners, the router reads routes, upstream reads clusters. It depends on nothing else in Portcullis. The one
 * entry point is {@link io.portcullis.config.ConfigLoader}; a bad file yields a
 * {@link io.portcullis.config.ConfigException} listing every {@link io.portcullis.config.ConfigError} with file,
 * line, column and document path. The schema {@code portcullis.schema.json} in this package's resources is the
 * reference for the file format and can be given to editors.
 */
package io.portcullis.config;

/**
 * The command line ({@code portcullis run | validate | demo | keys}) and the demo backends; the only package that prints
 * to the terminal and calls {@code System.exit}. Sits on top of everything else: it loads config and starts a
 * {@link io.portcullis.server.Gateway}.
 */
package io.portcullis.cli;

/**
 * Security data kept in files that change while the gateway runs (IP lists, API key hashes): read once at start,
 * then checked for changes and swapped in whole. {@link io.portcullis.security.files.ReloadingFile} owns the
 * polling, the optional file-system watch and the "refuse a broken file, keep the one in use" rule; each format
 * brings only a {@link io.portcullis.security.files.ReloadingFile.Parser}. A file that cannot be used is a
 * {@link io.portcullis.security.files.FileFormatException} naming the file and line.
 *
 * <p>Beside the request path, never on it: reads and parses happen at startup and on the executor the caller hands
 * in (a control loop, never a request loop); the request path only reads the published snapshot, one volatile read.
 * Depends on nothing else in Portcullis.
 */
package io.portcullis.security.files;

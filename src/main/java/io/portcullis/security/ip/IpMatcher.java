package io.portcullis.security.ip;

/**
 * Where the IP filter gets the set it checks: a fixed {@link IpSet} from config, or an {@link IpListFile} whose set
 * changes when its file does. A request calls {@link #current()} once and uses that snapshot for every check it
 * makes, so a reload mid-request cannot give it two answers.
 */
public interface IpMatcher {
    /** The set in force now; never null. For a file, one volatile read. */
    IpSet current();

    /** {@code current().contains(address)}: false for text that is not an IP address. */
    default boolean contains(String address) {
        return current().contains(address);
    }
}

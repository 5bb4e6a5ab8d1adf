package io.portcullis.security.ip;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The IP filter's decision for one client address: denied if any deny block contains it (deny wins), otherwise
 * allowed if the allow list contains it or there is no allow list. Immutable; both lists are read once per call
 * ({@link IpMatcher#current()}), so a list file reloading mid-call cannot mix two versions of one list.
 *
 * <p><b>"No allow list" is decided once, here.</b> An allow list given as an empty {@link IpSet} means none was
 * configured: everyone not denied passes. An allow list backed by a file is a list in force whatever it holds: if
 * the file is emptied, nobody passes. Truncating a file (a failed deploy, a half-finished rewrite) must never open
 * a route to the whole internet.
 *
 * <p>Text that is not an IP address is refused; the gateway only passes socket peers and addresses
 * {@link ClientAddress} validated, so that would be a bug, and refusing is the safe side of it.
 */
public final class IpAccessList {
    private static final IpAccessList ALLOW_ALL = new IpAccessList(IpSet.empty(), IpSet.empty());

    private final IpMatcher allow;
    private final IpMatcher deny;
    /** No allow list configured: everyone not denied passes. */
    private final boolean anyAllowed;

    /**
     * @param allow the allow list; an empty {@link IpSet} means "no allow list", see the class comment
     * @param deny  the deny list; empty denies nobody
     */
    public IpAccessList(IpMatcher allow, IpMatcher deny) {
        this.allow = Objects.requireNonNull(allow, "allow");
        this.deny = Objects.requireNonNull(deny, "deny");
        this.anyAllowed = allow instanceof IpSet set && set.isEmpty();
    }

    /** Lets everyone through: the null object for a route without IP rules. */
    public static IpAccessList allowAll() {
        return ALLOW_ALL;
    }

    /** Whether the client at {@code address} (IPv4 or IPv6 text) may pass; false for text that is no address. */
    public boolean allows(String address) {
        IpSet allowed = allow.current();
        IpSet denied = deny.current();
        long v4 = IpAddresses.parseIpv4(address, 0, address.length());
        if (v4 >= 0) {
            return allowsIpv4(allowed, denied, (int) v4);
        }
        byte[] bytes = IpAddresses.parseIpv6(address, 0, address.length());
        return bytes != null && allows(allowed, denied, bytes);
    }

    /** Whether the client at the 4- or 16-byte {@code address} may pass. */
    public boolean allows(byte[] address) {
        IpSet allowed = allow.current();
        IpSet denied = deny.current();
        if (address.length == 4) {
            return allowsIpv4(allowed, denied, IpAddresses.ipv4(address, 0));
        }
        if (address.length == 16) {
            return allows(allowed, denied, address);
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, was " + address.length);
    }

    public boolean allows(InetAddress address) {
        return allows(address.getAddress());
    }

    private boolean allows(IpSet allowed, IpSet denied, byte[] v6) {
        if (IpAddresses.isMappedIpv4(v6)) {
            return allowsIpv4(allowed, denied, IpAddresses.ipv4(v6, 12));
        }
        long high = IpAddresses.high(v6);
        long low = IpAddresses.low(v6);
        return !denied.containsIpv6(high, low) && (anyAllowed || allowed.containsIpv6(high, low));
    }

    private boolean allowsIpv4(IpSet allowed, IpSet denied, int address) {
        return !denied.containsIpv4(address) && (anyAllowed || allowed.containsIpv4(address));
    }

    @Override
    public String toString() {
        return "IpAccessList[allow=" + (anyAllowed ? "any" : allow) + ", deny=" + deny + "]";
    }
}

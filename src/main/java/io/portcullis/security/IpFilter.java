package io.portcullis.security;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Rejection;
import io.portcullis.security.ip.IpMatcher;
import java.util.List;

/**
 * IP allow and deny lists on the client address (the peer, or what trusted proxies report): denied when any deny
 * list holds it; otherwise, when there are allow lists, allowed only if one of them holds it. The listener's and
 * the route's rules are merged into one filter, so both apply. 403 {@code IP_DENIED} otherwise.
 */
final class IpFilter implements Filter {
    private final List<IpMatcher> allow;
    private final List<IpMatcher> deny;

    /** @param allow allow lists (none: everyone not denied passes); a file-backed list that empties admits nobody */
    IpFilter(List<IpMatcher> allow, List<IpMatcher> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    @Override
    public String name() {
        return "ip";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        String client = chain.clientAddress();
        for (IpMatcher m : deny) {
            if (m.contains(client)) {
                chain.reject(Rejection.of(403, "IP_DENIED", "address in a deny list"));
                return;
            }
        }
        if (allow.isEmpty()) {
            chain.proceed();
            return;
        }
        for (IpMatcher m : allow) {
            if (m.contains(client)) {
                chain.proceed();
                return;
            }
        }
        chain.reject(Rejection.of(403, "IP_DENIED", "address in no allow list"));
    }
}

package io.portcullis.server;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder, told by the exchange when the response answers a HEAD request: such a response keeps
 * its framing headers (Content-Length, Transfer-Encoding) but never carries a body or a last-chunk marker.
 */
final class ProxyResponseEncoder extends HttpResponseEncoder {
    private boolean headResponse;

    /** Set before writing a response head; applies to that response only. */
    void nextResponseIsHead(boolean head) {
        this.headResponse = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headResponse || super.isContentAlwaysEmpty(msg);
    }
}

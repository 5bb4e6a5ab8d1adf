package io.portcullis.upstream.lb;

/** The picker of a cluster with no endpoints (null object): every request gets -1, i.e. no healthy endpoint. */
enum NoEndpointLoadBalancer implements LoadBalancer {
    INSTANCE;

    @Override
    public int pick(long hash) {
        return -1;
    }
}

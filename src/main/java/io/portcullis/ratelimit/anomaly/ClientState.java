package io.portcullis.ratelimit.anomaly;

/**
 * Everything the detector keeps about one client IP: its counters (request path) and, for the tick, its learned
 * rate and failure window. The IP is the one key all three client rules watch: floods, credential stuffing and
 * path scanning.
 */
final class ClientState {
    final KeyCounters counts = new KeyCounters();
    private final FloodTracker flood = new FloodTracker();
    private final FailureWindow window;

    ClientState(int windowSeconds) {
        this.window = new FailureWindow(windowSeconds);
    }

    void tick(String ip, Tick tick, FindingSink sink) {
        counts.roll(tick.seconds());
        AnomalyRules rules = tick.rules();
        FloodRule floodRule = rules.clientIpFlood();
        if (flood.observe(counts.secondRequests() / tick.seconds(), tick.clientIpAlpha(), floodRule)) {
            AnomalyKey key = new AnomalyKey(AnomalyKey.Kind.CLIENT_IP, ip);
            if (!sink.covers(Rule.REQUEST_FLOOD, key)) {
                sink.raise(key, flood.finding(floodRule));
            }
        }
        window.push(counts);
        if (window.hasFailures()) {
            checkCredentialStuffing(ip, rules.credentialStuffing(), sink);
            checkPathScanning(ip, rules.pathScanning(), sink);
        }
    }

    private void checkCredentialStuffing(String ip, CredentialStuffingRule rule, FindingSink sink) {
        long failures = window.authFailures(rule.windowSeconds());
        long requests = window.requests(rule.windowSeconds());
        if (rule.fires(failures, requests)) {
            AnomalyKey key = new AnomalyKey(AnomalyKey.Kind.CLIENT_IP, ip);
            if (!sink.covers(Rule.CREDENTIAL_STUFFING, key)) {
                sink.raise(key, Findings.credentialStuffing(rule, failures, requests, flood.baseline()));
            }
        }
    }

    private void checkPathScanning(String ip, PathScanningRule rule, FindingSink sink) {
        long notFound = window.notFound(rule.windowSeconds());
        long requests = window.requests(rule.windowSeconds());
        if (!rule.countsQualify(notFound, requests)) {
            return;
        }
        int distinct = PathSketch.estimate(window.paths(rule.windowSeconds()));
        if (distinct >= rule.minDistinctPaths()) {
            AnomalyKey key = new AnomalyKey(AnomalyKey.Kind.CLIENT_IP, ip);
            if (!sink.covers(Rule.PATH_SCANNING, key)) {
                sink.raise(key, Findings.pathScanning(rule, notFound, distinct, requests, flood.baseline()));
            }
        }
    }
}

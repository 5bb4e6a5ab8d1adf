package io.portcullis.ratelimit.anomaly;

/** What the detector keeps about one route: its counters and learned 5xx share, for {@link ErrorSpikeRule}. */
final class RouteState {
    final KeyCounters counts = new KeyCounters();
    private final ErrorSpikeTracker errors = new ErrorSpikeTracker();

    void tick(String route, Tick tick, FindingSink sink) {
        counts.roll(tick.seconds());
        ErrorSpikeRule rule = tick.rules().routeErrorSpike();
        if (errors.observe(counts.secondRequests(), counts.secondServerErrors(), tick.seconds(), tick.routeAlpha(),
                rule)) {
            AnomalyKey key = new AnomalyKey(AnomalyKey.Kind.ROUTE, route);
            if (!sink.covers(Rule.ROUTE_ERROR_SPIKE, key)) {
                sink.raise(key, errors.finding(rule));
            }
        }
    }
}

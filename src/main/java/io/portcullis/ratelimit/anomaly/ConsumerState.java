package io.portcullis.ratelimit.anomaly;

/** What the detector keeps about one consumer: its counters and learned rate, for {@link FloodRule} only. */
final class ConsumerState {
    final KeyCounters counts = new KeyCounters();
    private final FloodTracker flood = new FloodTracker();

    void tick(String consumer, Tick tick, FindingSink sink) {
        counts.roll(tick.seconds());
        FloodRule rule = tick.rules().consumerFlood();
        if (flood.observe(counts.secondRequests() / tick.seconds(), tick.consumerAlpha(), rule)) {
            AnomalyKey key = new AnomalyKey(AnomalyKey.Kind.CONSUMER, consumer);
            if (!sink.covers(Rule.REQUEST_FLOOD, key)) {
                sink.raise(key, flood.finding(rule));
            }
        }
    }
}

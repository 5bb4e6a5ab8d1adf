package io.portcullis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.anomaly.AnomalyAction;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.anomaly.AnomalyListener;
import io.portcullis.ratelimit.anomaly.AnomalyRules;
import io.portcullis.ratelimit.anomaly.DefaultAnomalyDetector;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's anomaly detector: one lives across config reloads (baselines and actions outlive a reload that keeps
 * the rules), ticked every second on the control loop, its actions logged and counted, and shown as JSON for the
 * admin listener. A reload that changes the rules starts a new detector, with new baselines and no actions: the
 * old thresholds' findings say nothing under the new ones.
 */
final class GatewayAnomalies {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayAnomalies.class);

    private final GatewayMetrics metrics;
    private final ScheduledExecutorService control;
    private AnomalyRules rules;
    private volatile AnomalyDetector detector = AnomalyDetector.NONE;
    private ScheduledFuture<?> ticks;

    GatewayAnomalies(GatewayMetrics metrics, ScheduledExecutorService control) {
        this.metrics = metrics;
        this.control = control;
    }

    /** The detector in use ({@link AnomalyDetector#NONE} when off). */
    AnomalyDetector current() {
        return detector;
    }

    /**
     * The detector for {@code next} rules (null: off): the current one when they did not change, else a new one that
     * runs only once {@link #install}ed, so a reload that fails later leaves the running detector alone.
     */
    synchronized AnomalyDetector prepare(AnomalyRules next) {
        if (Objects.equals(next, rules)) {
            return detector;
        }
        return next == null ? AnomalyDetector.NONE : build(next);
    }

    /** Makes {@code next}, from {@link #prepare}, the detector in use; the one it replaces stops ticking. */
    synchronized void install(AnomalyRules nextRules, AnomalyDetector next) {
        if (next == detector) {
            return;
        }
        if (ticks != null) {
            ticks.cancel(false);
            ticks = null;
        }
        if (rules != null) {
            LOG.info("anomaly rules changed: baselines and actions start over");
        }
        rules = nextRules;
        detector = next;
        if (next instanceof DefaultAnomalyDetector started) {
            ticks = control.scheduleAtFixedRate(started::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    private DefaultAnomalyDetector build(AnomalyRules next) {
        return DefaultAnomalyDetector.builder().rules(next)
                // Caffeine's maintenance where the request is recorded (it only tries the lock), not as a task for
                // the control thread every few requests; the tick runs it every second as well.
                .executor(Runnable::run)
                .listener(new AnomalyListener() {
                    @Override
                    public void onRaised(AnomalyAction a) {
                        metrics.anomalyAction(a.rule().slug(), a.action().name().toLowerCase(Locale.ROOT));
                        LOG.warn("anomaly {}: {} {} until {}: {} {}", a.id(), a.action().name().toLowerCase(
                                Locale.ROOT), a.key(), a.expiresAt(), a.reason(), a.evidence());
                    }

                    @Override
                    public void onLifted(AnomalyAction a) {
                        LOG.info("anomaly {} lifted by an operator", a.id());
                    }

                    @Override
                    public void onExpired(AnomalyAction a) {
                        LOG.info("anomaly {} expired", a.id());
                    }
                }).build();
    }

    /** {@code GET /anomalies}: the actions in force, with their reasons and evidence. */
    static JsonNode json(AnomalyDetector detector) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (AnomalyAction a : detector.active()) {
            ObjectNode o = list.addObject();
            o.put("id", a.id());
            o.put("rule", a.rule().slug());
            o.put("key_kind", a.key().kind().slug());
            o.put("key", a.key().value());
            o.put("action", a.action().name().toLowerCase(Locale.ROOT));
            if (a.limitPerSecond() > 0) {
                o.put("limit_per_second", a.limitPerSecond());
            }
            o.put("reason", a.reason());
            ObjectNode evidence = o.putObject("evidence");
            for (Map.Entry<String, Number> e : a.evidence().entrySet()) {
                evidence.put(e.getKey(), e.getValue().doubleValue());
            }
            o.put("created_at", a.createdAt().toString());
            o.put("expires_at", a.expiresAt().toString());
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("anomalies", list);
        return root;
    }
}

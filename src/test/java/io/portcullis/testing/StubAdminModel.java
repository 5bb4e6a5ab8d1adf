package io.portcullis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.portcullis.admin.AdminModel;
import io.portcullis.admin.Readiness;
import java.util.function.Supplier;

/**
 * An {@link AdminModel} with fixed answers for admin-listener tests; readiness can be switched while the server runs
 * and the metrics come from a supplier (e.g. a real {@code GatewayMetrics::scrape}).
 */
public final class StubAdminModel implements AdminModel {
    private final JsonNode clusters;
    private final JsonNode config;
    private final Supplier<String> metrics;
    private final String metricsContentType;
    private volatile Readiness readiness = Readiness.READY;

    public StubAdminModel(JsonNode clusters, JsonNode config, Supplier<String> metrics, String metricsContentType) {
        this.clusters = clusters;
        this.config = config;
        this.metrics = metrics;
        this.metricsContentType = metricsContentType;
    }

    /** Only metrics; clusters and config are empty objects. */
    public static StubAdminModel metrics(Supplier<String> metrics, String contentType) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        return new StubAdminModel(json.objectNode(), json.objectNode(), metrics, contentType);
    }

    public void readiness(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public JsonNode clusters() {
        return clusters;
    }

    @Override
    public JsonNode config() {
        return config;
    }

    @Override
    public String metrics() {
        return metrics.get();
    }

    @Override
    public String metricsContentType() {
        return metricsContentType;
    }
}

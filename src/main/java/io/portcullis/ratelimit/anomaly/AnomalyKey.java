package io.portcullis.ratelimit.anomaly;

import java.util.Objects;

/** The subject of an anomaly: one client IP, one consumer (authenticated principal) or one route id. */
public record AnomalyKey(Kind kind, String value) {
    public enum Kind {
        CLIENT_IP("client_ip"),
        CONSUMER("consumer"),
        ROUTE("route");

        private final String slug;

        Kind(String slug) {
            this.slug = slug;
        }

        public String slug() {
            return slug;
        }
    }

    public AnomalyKey {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(value, "value must not be null");
    }

    @Override
    public String toString() {
        return kind.slug + "=" + value;
    }
}

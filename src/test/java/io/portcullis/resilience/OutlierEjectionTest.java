package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import io.portcullis.upstream.UpstreamEndpoint;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Passive outlier ejection end to end: an endpoint answering 5xx is taken out of rotation and comes back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutlierEjectionTest extends NamedBackendsAndGateway {
    private Map<String, Integer> spread(int n) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = gw.get("/x");
            out.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
        }
        return out;
    }

    @Test
    void consecutive5xxEjectAnEndpointUntilItsEjectionTimeIsOver() throws Exception {
        backends = new NamedBackends(3);
        gw = TestGateway.start(TestGateway.oneCluster("", """
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                    outlier_detection:
                      consecutive_5xx: 3
                      interval: 100ms
                      base_ejection_time: 1s
                      max_ejection_percent: 50
                """), backends.env());
        UpstreamEndpoint b1 = gw.gateway().clusters().get("api").endpoints().get(1);
        backends.get(1).status(500);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            spread(3);
            return b1.ejected();
        });
        assertThat(spread(30)).containsOnlyKeys("200 b0", "200 b2");
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_upstream_ejections_total{cluster=\"api\","
                + "reason=\"consecutive_5xx\"} 1");

        backends.get(1).status(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> !b1.ejected());
        await().atMost(Duration.ofSeconds(5)).until(() -> spread(6).containsKey("200 b1"));
    }
}

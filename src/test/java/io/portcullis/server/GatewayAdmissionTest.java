package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.OverloadConfig;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reloads keep the admission controller while its classes and limits stay, and replace it when they change. */
class GatewayAdmissionTest {
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor();
    private final GatewayAdmission admissions = new GatewayAdmission(control);

    @AfterEach
    void stop() {
        control.shutdownNow();
    }

    private static OverloadConfig overload(List<String> classes, Map<String, String> roles) {
        return new OverloadConfig(classes, roles, Map.of(), null, 100, 10, 1000, 100, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
    }

    @Test
    void theControllerLivesAsLongAsItsClassesAndLimits() {
        assertThat(admissions.prepare(null)).isNull();

        OverloadConfig three = overload(List.of("low", "normal", "high"), Map.of());
        PriorityAdmission first = admissions.prepare(three);
        assertThat(first).isNotNull();
        admissions.install(three, first);

        // Who earns which class is the filters' business: the controller stays.
        assertThat(admissions.prepare(overload(List.of("low", "normal", "high"), Map.of("partner", "high"))))
                .isSameAs(first);

        // Two classes instead of three: a new controller, in use only once installed.
        OverloadConfig two = overload(List.of("low", "high"), Map.of());
        PriorityAdmission second = admissions.prepare(two);
        assertThat(second).isNotSameAs(first);
        assertThat(admissions.prepare(three)).isSameAs(first);
        admissions.install(two, second);
        assertThat(admissions.prepare(two)).isSameAs(second);

        admissions.install(null, admissions.prepare(null));
        assertThat(admissions.prepare(null)).isNull();
        assertThat(admissions.prepare(two)).isNotSameAs(second);
    }
}

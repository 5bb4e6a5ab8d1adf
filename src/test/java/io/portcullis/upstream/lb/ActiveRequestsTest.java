package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveRequestsTest {

    @Test
    void countsPerEndpoint() {
        ActiveRequests active = new ActiveRequests(3);
        active.start(0);
        active.start(2);
        active.start(2);
        active.end(2);
        assertThat(new int[] {active.get(0), active.get(1), active.get(2)}).containsExactly(1, 0, 1);
    }

    @Test
    void indexOutsideTheEndpointsFails() {
        ActiveRequests active = new ActiveRequests(2);
        assertThatThrownBy(() -> active.start(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> active.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void endWithoutStartFailsUnderAssertions() {
        ActiveRequests active = new ActiveRequests(1);
        assertThatThrownBy(() -> active.end(0)).isInstanceOf(AssertionError.class).hasMessageContaining("endpoint 0");
    }

    @Test
    void negativeSizeRejected() {
        assertThatThrownBy(() -> new ActiveRequests(-1)).hasMessageContaining("was -1");
    }

    @Test
    void updatesFromManyThreadsAreNotLost() throws InterruptedException {
        ActiveRequests active = new ActiveRequests(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int own = t % 4;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    active.start(own);
                    active.start(3);
                    active.end(3);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(new int[] {active.get(0), active.get(1), active.get(2), active.get(3)})
                .containsExactly(200_000, 200_000, 200_000, 200_000);
    }
}

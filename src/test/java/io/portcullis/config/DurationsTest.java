package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesEachUnit() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("15s")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void bareIntegerIsMilliseconds() {
        assertThat(Durations.ofMillis(1500)).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Durations.ofMillis(-1)).hasMessage("duration must be >= 0 ms, was -1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "15", "15 sec", "1.5s", "-1s", "s", "10d", "1h30m"})
    void rejectsOtherFormatsNamingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a duration")
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsOverflow() {
        assertThatThrownBy(() -> Durations.parse("99999999999999999999h")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Durations.parse("9223372036854775807h")).hasMessageContaining("too large");
    }
}

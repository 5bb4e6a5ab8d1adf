package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @Test
    void binaryUnitsArePowersOf1024() {
        assertThat(Sizes.parse("512B")).isEqualTo(512);
        assertThat(Sizes.parse("8KiB")).isEqualTo(8192);
        assertThat(Sizes.parse("10MiB")).isEqualTo(10L * 1024 * 1024);
        assertThat(Sizes.parse("2GiB")).isEqualTo(2L * 1024 * 1024 * 1024);
    }

    @Test
    void decimalUnitsArePowersOf1000() {
        assertThat(Sizes.parse("8KB")).isEqualTo(8_000);
        assertThat(Sizes.parse("10MB")).isEqualTo(10_000_000);
        assertThat(Sizes.parse("3GB")).isEqualTo(3_000_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8", "8 KiB", "8kib", "1.5MiB", "-1B", "8TiB", "KiB"})
    void rejectsOtherFormatsNamingTheValue(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a size")
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsOverflow() {
        assertThatThrownBy(() -> Sizes.parse("9999999999999GiB")).hasMessageContaining("too large");
    }
}

package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(Main.LEAK_SAMPLING_INTERVAL);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(Main.LEAK_SAMPLING_INTERVAL);
        } else {
            System.setProperty(Main.LEAK_SAMPLING_INTERVAL, saved);
        }
    }

    @Test
    void leakSamplingDefaultsToOneBufferIn4096() {
        System.clearProperty(Main.LEAK_SAMPLING_INTERVAL);
        Main.defaultLeakSampling();
        assertThat(System.getProperty(Main.LEAK_SAMPLING_INTERVAL)).isEqualTo("4096");
    }

    @Test
    void leakSamplingGivenOnTheCommandLineIsKept() {
        System.setProperty(Main.LEAK_SAMPLING_INTERVAL, "1");
        Main.defaultLeakSampling();
        assertThat(System.getProperty(Main.LEAK_SAMPLING_INTERVAL)).isEqualTo("1");
    }
}

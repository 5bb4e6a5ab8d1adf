package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector on corpora written apart from it ({@code injection/heldout}: written by someone who had not seen the
 * detector or its tuning corpora). Their first measurement, before anything was changed because of them, is kept in
 * {@code bench/RESULTS.md} (SQLi 94.9%, XSS 98.2%, benign 0.09% flagged); the general causes of what they found
 * were fixed afterwards, so they hold the detector to the bar but are no longer an unseen sample. A
 * payload counts as detected when it is flagged at all (the filter blocks either kind).
 */
class HeldOutCorpusTest {
    private static final Logger LOG = LoggerFactory.getLogger(HeldOutCorpusTest.class);

    private static final InjectionDetector DETECTOR = InjectionDetector.all();

    @Test
    void heldOutRates() throws IOException {
        double sqli = rate("held-out SQLi", InjectionCorpusTest.samples("heldout/sqli.txt"), true);
        double xss = rate("held-out XSS", InjectionCorpusTest.samples("heldout/xss.txt"), true);
        double benign = rate("held-out benign", InjectionCorpusTest.samples("heldout/benign.txt"), false);
        assertThat(sqli).as("held-out SQLi flagged").isGreaterThanOrEqualTo(0.95);
        assertThat(xss).as("held-out XSS flagged").isGreaterThanOrEqualTo(0.95);
        assertThat(benign).as("held-out benign flagged").isLessThanOrEqualTo(0.005);
    }

    private static double rate(String name, List<String> samples, boolean attacks) {
        int flagged = 0;
        for (String s : samples) {
            Finding f = DETECTOR.scan(s);
            if (f != null) {
                flagged++;
            }
            if ((f == null) == attacks) {
                LOG.info("  " + (attacks ? "missed: " : "flagged: ") + (f == null ? "" : f.rule() + "\t")
                        + s);
            }
        }
        double rate = (double) flagged / samples.size();
        LOG.info(String.format("%s: %d of %d flagged (%.2f%%)", name, flagged, samples.size(), rate * 100));
        return rate;
    }
}

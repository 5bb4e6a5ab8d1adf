package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the detector on the corpora in {@code src/test/resources/injection}: known SQL injection and XSS
 * payloads must be detected (as the right kind) at least 95% of the time, and realistic benign values may be
 * flagged at most 0.5% of the time, both as values scanned on their own and as values form-encoded into a query
 * string. The measured rates and every missed or falsely flagged line are printed, so the surefire report shows
 * where the detector stands, not only that it passed.
 */
class InjectionCorpusTest {
    private static final Logger LOG = LoggerFactory.getLogger(InjectionCorpusTest.class);

    private static final InjectionDetector DETECTOR = InjectionDetector.all();

    @Test
    void detectsAtLeast95PercentOfSqlInjection() throws IOException {
        List<String> samples = samples("sqli.txt");
        assertThat(samples).as("SQLi corpus size").hasSizeGreaterThanOrEqualTo(300);
        double rate = detectionRate("SQLi", samples, Finding.Kind.SQLI);
        assertThat(rate).as("SQLi detection rate").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void detectsAtLeast95PercentOfXss() throws IOException {
        List<String> samples = samples("xss.txt");
        assertThat(samples).as("XSS corpus size").hasSizeGreaterThanOrEqualTo(300);
        double rate = detectionRate("XSS", samples, Finding.Kind.XSS);
        assertThat(rate).as("XSS detection rate").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void flagsAtMostHalfAPercentOfBenignTraffic() throws IOException {
        List<String> samples = samples("benign.txt");
        assertThat(samples).as("benign corpus size").hasSizeGreaterThanOrEqualTo(2000);
        List<String> flagged = new ArrayList<>();
        for (String sample : samples) {
            Finding finding = DETECTOR.scan(sample);
            if (finding != null) {
                flagged.add(finding.rule() + "\t" + sample);
            }
        }
        double rate = (double) flagged.size() / samples.size();
        LOG.info(String.format("benign: %d of %d flagged, false-positive rate %.3f%%", flagged.size(), samples.size(),
                rate * 100));
        flagged.forEach(line -> LOG.info("  flagged: " + line));
        assertThat(rate).as("false-positive rate").isLessThanOrEqualTo(0.005);
    }

    /** The production path for most values: form-encoded into a query string, split and decoded again. */
    @Test
    void measuresTheSameThroughTheQueryStringPath() throws IOException {
        Function<String, Finding> query =
                sample -> DETECTOR.scanQuery("page=2&q=" + URLEncoder.encode(sample, StandardCharsets.UTF_8), 1 << 16);
        assertThat(detectionRate("SQLi in a query", samples("sqli.txt"), Finding.Kind.SQLI, query))
                .as("SQLi detection rate in a query string").isGreaterThanOrEqualTo(0.95);
        assertThat(detectionRate("XSS in a query", samples("xss.txt"), Finding.Kind.XSS, query))
                .as("XSS detection rate in a query string").isGreaterThanOrEqualTo(0.95);
        List<String> benign = samples("benign.txt");
        long flagged = benign.stream().filter(sample -> query.apply(sample) != null).count();
        double rate = (double) flagged / benign.size();
        LOG.info(String.format("benign in a query: %d of %d flagged, false-positive rate %.3f%%", flagged,
                benign.size(), rate * 100));
        assertThat(rate).as("false-positive rate in a query string").isLessThanOrEqualTo(0.005);
    }

    private static double detectionRate(String name, List<String> samples, Finding.Kind kind) {
        return detectionRate(name, samples, kind, DETECTOR::scan);
    }

    private static double detectionRate(String name, List<String> samples, Finding.Kind kind,
            Function<String, Finding> scan) {
        List<String> missed = new ArrayList<>();
        for (String sample : samples) {
            Finding finding = scan.apply(sample);
            if (finding == null || finding.kind() != kind) {
                missed.add((finding == null ? "clean" : finding.rule()) + "\t" + sample);
            }
        }
        double rate = 1 - (double) missed.size() / samples.size();
        LOG.info(String.format("%s: %d of %d detected, detection rate %.2f%%", name, samples.size() - missed.size(),
                samples.size(), rate * 100));
        missed.forEach(line -> LOG.info("  missed: " + line));
        return rate;
    }

    /** The samples of a corpus: '#' lines are comments, a leading '\' escapes a sample's own first character. */
    static List<String> samples(String file) throws IOException {
        List<String> samples = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(
                        InjectionCorpusTest.class.getResourceAsStream("/injection/" + file), file);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                samples.add(line.startsWith("\\") ? line.substring(1) : line);
            }
        }
        return samples;
    }
}

package io.portcullis.security.injection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The facade: which parts of a request are scanned, how they are split and decoded, and the limits. */
class InjectionDetectorTest {
    private final InjectionDetector detector = InjectionDetector.all();

    @Test
    void scanReturnsNullForDataAndAFindingForAnAttack() {
        assertThat(detector.scan("O'Brien")).isNull();
        assertThat(detector.scan("' or 1=1--")).isEqualTo(new Finding(Finding.Kind.SQLI, "sqli.tautology/'/s&n=nc"));
        assertThat(detector.scan("<svg onload=alert(1)>").kind()).isEqualTo(Finding.Kind.XSS);
        assertThat(detector.scan("")).isNull();
    }

    @Test
    void valuesScannedInPlaceAreMatchedRegardlessOfCase() {
        // nothing to decode, so no lower-case copy is made: the detectors fold ASCII case themselves
        assertThat(Normalizer.needsWork("1 UNION SELECT 1,2", false)).isFalse();
        assertThat(detector.scan("1 UNION SELECT 1,2")).isNotNull();
        assertThat(detector.scan("<SCRIPT SRC=//evil.example/x.js>")).isNotNull();
        assertThat(detector.scan("<IMG SRC=x ONERROR=alert(1)>")).isNotNull();
        assertThat(detector.scan("JAVASCRIPT:alert(1)")).isNotNull();
    }

    @Test
    void aScriptPayloadThatIsAlsoSqlIsReportedAsXss() {
        assertThat(detector.scan("'-alert(1)-'").kind()).isEqualTo(Finding.Kind.XSS);
    }

    @Test
    void theRuleNeverCarriesTheInput() {
        String payload = "zzsecretzz' or 'zzsecretzz'='zzsecretzz";
        Finding finding = detector.scan(payload);
        assertThat(finding).isNotNull();
        assertThat(finding.rule()).doesNotContain("zzsecretzz").hasSizeLessThan(40);
    }

    @Test
    void scansOnlyTheKindsItWasBuiltFor() {
        InjectionDetector sqlOnly = InjectionDetector.of(EnumSet.of(Finding.Kind.SQLI));
        assertThat(sqlOnly.scan("<script>alert(1)</script>")).isNull();
        assertThat(sqlOnly.scan("1 or 1=1")).isNotNull();
        InjectionDetector xssOnly = InjectionDetector.of(Set.of(Finding.Kind.XSS));
        assertThat(xssOnly.scan("1 or 1=1")).isNull();
        assertThatThrownBy(() -> InjectionDetector.of(Set.of())).hasMessageContaining("kinds must not be empty");
    }

    @Test
    void scanKeepsAPlusButAQueryDecodesItAsASpace() {
        assertThat(detector.scan("x+onerror=alert(1)")).isNull();
        assertThat(detector.scanQuery("v=x+onerror=alert(1)", 1000)).isNotNull();
        assertThat(detector.scanQuery("id=1+or+1=1", 1000)).isNotNull();
    }

    @Test
    void scanReadsAFormEncodedValueOnceMoreWithPlusAsSpace() {
        assertThat(detector.scan("+%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E").kind()).isEqualTo(Finding.Kind.XSS);
        assertThat(detector.scan("1%27+or+%271%27%3D%271")).isNotNull();
        assertThat(detector.scanPath("/search/+%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", 1000)).isNotNull();
        assertThat(detector.scan("running+shoes%2C+men%27s")).isNull();
    }

    @Test
    void scanQueryChecksEveryNameAndValue() {
        assertThat(detector.scanQuery("q=running+shoes&sort=price_asc&page=2&flag&=&&empty=", 1000)).isNull();
        assertThat(detector.scanQuery("q=O%27Brien&lang=en", 1000)).isNull();
        assertThat(detector.scanQuery("page=1&id=1%27%20or%20%271%27%3D%271", 1000).kind())
                .isEqualTo(Finding.Kind.SQLI);
        assertThat(detector.scanQuery("%3Cscript%3E=1", 1000).kind()).isEqualTo(Finding.Kind.XSS);
        assertThat(detector.scanQuery("a=1&<svg/onload=alert(1)>", 1000)).isNotNull();
        assertThat(detector.scanQuery("a=1&%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", 1000)).isNotNull();
        // '=' inside a value belongs to the value
        assertThat(detector.scanQuery("filter=a=b", 1000)).isNull();
    }

    @Test
    void scanQueryStopsAtTheLimit() {
        String query = "q=shoes&id=1%20union%20select%201,2";
        assertThat(detector.scanQuery(query, query.length())).isNotNull();
        assertThat(detector.scanQuery(query, "q=shoes&".length())).isNull();
        assertThat(detector.scanQuery(query, 0)).isNull();
        assertThatThrownBy(() -> detector.scanQuery(query, -1)).hasMessage("max must be >= 0, was -1");
    }

    @Test
    void scanPathChecksEachSegment() {
        assertThat(detector.scanPath("/api/v1/users/42/orders", 1000)).isNull();
        assertThat(detector.scanPath("/wiki/O%27Brien", 1000)).isNull();
        assertThat(detector.scanPath("/products/1%20or%201=1", 1000)).isNotNull();
        assertThat(detector.scanPath("/search/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 1000)).isNotNull();
        assertThat(detector.scanPath("/a+b/c", 1000)).isNull();
    }

    @Test
    void scanFormReadsWithoutConsumingAndHonoursTheLimit() {
        ByteBuf body = Unpooled.copiedBuffer("name=O%27Brien&comment=hi+there&id=1+or+1%3D1", StandardCharsets.UTF_8);
        try {
            int readerIndex = body.readerIndex();
            assertThat(detector.scanForm(body, 1000)).isNotNull();
            assertThat(detector.scanForm(body, "name=O%27Brien&comment=hi+there&".length())).isNull();
            assertThat(body.readerIndex()).isEqualTo(readerIndex);
        } finally {
            body.release();
        }
    }

    @Test
    void scanJsonVisitsStringValuesAndFieldNamesButNotNumbers() {
        assertThat(json("{\"name\": \"O'Brien\", \"age\": 42, \"tags\": [\"a\", \"b\"], \"ok\": true}")).isNull();
        assertThat(json("{\"q\": \"' or 1=1--\"}").kind()).isEqualTo(Finding.Kind.SQLI);
        assertThat(json("{\"<img src=x onerror=alert(1)>\": 1}").kind()).isEqualTo(Finding.Kind.XSS);
        assertThat(json("{\"a\": {\"b\": [1, {\"c\": \"\\u003cscript\\u003e\"}]}}").kind())
                .isEqualTo(Finding.Kind.XSS);
        assertThat(json("{\"n\": 1e308, \"m\": -0.5, \"x\": null}")).isNull();
    }

    @Test
    void scanJsonStopsAtTheLimitOrAtASyntaxError() {
        String body = "{\"a\": \"fine\", \"b\": \"1 union select 1,2\"}";
        assertThat(json(body)).isNotNull();
        assertThat(json(body, body.indexOf("\"b\""))).isNull();
        assertThat(json("{\"a\": \"fine\", oops \"b\": \"1 union select 1,2\"}")).isNull();
        assertThat(json("{\"a\": \"1 union select 1,2\", oops")).isNotNull();
    }

    @Test
    void scanJsonReadsDirectBuffersToo() {
        ByteBuf direct = Unpooled.directBuffer();
        try {
            direct.writeCharSequence("{\"q\": \"<script>alert(1)</script>\"}", StandardCharsets.UTF_8);
            assertThat(detector.scanJson(direct, 1000)).isNotNull();
            assertThat(direct.readerIndex()).isZero();
        } finally {
            direct.release();
        }
    }

    @Test
    void scanJsonHonoursTheReaderIndex() {
        ByteBuf body = Unpooled.copiedBuffer("xxxx{\"q\": \"' or 'a'='a\"}", StandardCharsets.UTF_8);
        try {
            body.skipBytes(4);
            assertThat(detector.scanJson(body, 1000)).isNotNull();
        } finally {
            body.release();
        }
    }

    private Finding json(String text) {
        return json(text, Integer.MAX_VALUE);
    }

    private Finding json(String text, int max) {
        return withBuffer(text, body -> detector.scanJson(body, max));
    }

    private static Finding withBuffer(String text, Function<ByteBuf, Finding> scan) {
        ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            return scan.apply(body);
        } finally {
            body.release();
        }
    }
}

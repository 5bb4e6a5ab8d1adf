package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portcullis.security.validate.BodyVerdict.Outcome;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Size, then shape, then schema: each refusal with its outcome, pointer and code; depth bombs cost little. */
class JsonBodyCheckTest {

    private static final BodySchema ORDER = BodySchema.fromText("order", """
            {
              "type": "object",
              "required": ["id", "items"],
              "additionalProperties": false,
              "properties": {
                "id": {"type": "string", "pattern": "^ord-[0-9]+$"},
                "status": {"enum": ["new", "paid"]},
                "items": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["price"],
                    "properties": {"price": {"type": "number", "minimum": 0}}
                  }
                }
              }
            }""");

    private final JsonBodyCheck plain = new JsonBodyCheck(BodySchema.none(), 64, 1024 * 1024);
    private final JsonBodyCheck order = new JsonBodyCheck(ORDER, 64, 1024 * 1024);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void wellFormedBodiesPassWithoutASchema() {
        assertThat(plain.check(utf8("{\"a\":[1,2,{\"b\":null}]}")).valid()).isTrue();
        assertThat(plain.check(utf8(" 42 ")).valid()).isTrue();
        assertThat(plain.check(utf8("\"text\"")).valid()).isTrue();
        assertThat(plain.check(utf8("[]")).violations()).isEmpty();
    }

    @Test
    void aDepthBombIsRefusedAtTheLimitWithoutReadingTheRest() {
        String bomb = "[".repeat(10_000) + "]".repeat(10_000);
        // Truncated after the opening brackets: a parser that read to the end would call this malformed.
        String truncated = "[".repeat(10_000);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        order.check(utf8("{\"warm\":\"up\"}"));

        long before = threads.getCurrentThreadAllocatedBytes();
        BodyVerdict verdict = order.check(utf8(bomb));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(verdict.outcome()).isEqualTo(Outcome.TOO_DEEP);
        assertThat(verdict.outcome().status()).isEqualTo(400);
        Violation v = verdict.violations().get(0);
        assertThat(v.code()).isEqualTo("too_deep");
        assertThat(v.what()).contains("64");
        // The pointer of the 65th array: 64 "/0" steps, so the scan stopped there.
        assertThat(v.where()).isEqualTo("/0".repeat(64));
        assertThat(order.check(utf8(truncated)).outcome()).isEqualTo(Outcome.TOO_DEEP);
        // The 20 KB body itself is allocated by utf8(); the check adds parser buffers and 65 contexts, no tree.
        assertThat(allocated).isLessThan(256 * 1024 + bomb.length());
    }

    @Test
    void depthUpToTheLimitPasses() {
        JsonBodyCheck shallow = new JsonBodyCheck(BodySchema.none(), 3, 100);
        assertThat(shallow.check(utf8("[[[1]]]")).valid()).isTrue();
        assertThat(shallow.check(utf8("{\"a\":{\"b\":[1]}}")).valid()).isTrue();
        BodyVerdict deep = shallow.check(utf8("{\"a\":{\"b\":[{}]}}"));
        assertThat(deep.outcome()).isEqualTo(Outcome.TOO_DEEP);
        assertThat(deep.violations().get(0).where()).isEqualTo("/a/b/0");
    }

    @Test
    void aBodyOverTheSizeIsRefusedWithoutParsing() {
        JsonBodyCheck small = new JsonBodyCheck(ORDER, 64, 1000);
        byte[] big = utf8("{\"id\":\"" + "x".repeat(2000) + "\"}");
        BodyVerdict verdict = small.check(big);
        assertThat(verdict.outcome()).isEqualTo(Outcome.TOO_LARGE);
        assertThat(verdict.outcome().status()).isEqualTo(413);
        assertThat(verdict.violations()).containsExactly(
                new Violation("body", "is " + big.length + " bytes, more than the 1000 allowed", "too_large"));
        // Garbage over the limit is still "too large": nothing was parsed.
        assertThat(small.check(new byte[1001]).outcome()).isEqualTo(Outcome.TOO_LARGE);
        assertThat(small.check(new byte[1000]).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void malformedJsonIsMalformedNotASchemaViolation() {
        for (String body : new String[] {
                "{\"a\":}", "{\"a\":1", "{} {}", "[1,]", "{'a':1}", "NaN", "{\"a\":01}", "// c\n{}", "tru"}) {
            BodyVerdict verdict = order.check(utf8(body));
            assertThat(verdict.outcome()).as(body).isEqualTo(Outcome.MALFORMED);
            assertThat(verdict.outcome().status()).isEqualTo(400);
            assertThat(verdict.violations()).hasSize(1);
            assertThat(verdict.violations().get(0).where()).isEqualTo("body");
            assertThat(verdict.violations().get(0).code()).isEqualTo("malformed");
        }
        assertThat(order.check(utf8("{} {}")).violations().get(0).what())
                .contains("unexpected content after the JSON value").contains("line 1, column 4");
    }

    @Test
    void emptyBodiesDuplicateKeysAndBadUtf8AreMalformed() {
        assertThat(plain.check(new byte[0]).violations())
                .containsExactly(new Violation("body", "empty body, expected a JSON value", "empty"));
        assertThat(plain.check(utf8("  \n ")).outcome()).isEqualTo(Outcome.MALFORMED);
        BodyVerdict duplicate = plain.check(utf8("{\"amount\":1,\"amount\":1000}"));
        assertThat(duplicate.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(duplicate.violations().get(0).what()).contains("Duplicate field 'amount'");
        byte[] badUtf8 = {'"', (byte) 0xC3, (byte) 0x28, '"'};
        assertThat(plain.check(badUtf8).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void schemaViolationsAreReportedWithPointersAndKeywords() {
        BodyVerdict verdict = order.check(utf8("""
                {"id": "order-7", "status": "lost", "extra": true,
                 "items": [{"price": 3}, {"price": "ten"}, {}]}"""));
        assertThat(verdict.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(verdict.outcome().status()).isEqualTo(422);
        assertThat(verdict.violations()).extracting(Violation::where, Violation::code).containsExactlyInAnyOrder(
                tuple("/id", "pattern"),
                tuple("/status", "enum"),
                tuple("/extra", "additionalProperties"),
                tuple("/items/1/price", "type"),
                tuple("/items/2/price", "required"));
        assertThat(verdict.violations()).filteredOn(v -> v.where().equals("/items/1/price"))
                .extracting(Violation::what).containsExactly("string found, number expected");
        assertThat(verdict.violations()).filteredOn(v -> v.where().equals("/items/2/price"))
                .extracting(Violation::what).containsExactly("is required");
    }

    @Test
    void missingRequiredPropertiesAndRootTypeErrors() {
        assertThat(order.check(utf8("{}")).violations()).extracting(Violation::where)
                .containsExactlyInAnyOrder("/id", "/items");
        BodyVerdict notAnObject = order.check(utf8("[1]"));
        assertThat(notAnObject.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(notAnObject.violations()).containsExactly(
                new Violation("body", "array found, object expected", "type"));
        assertThat(order.check(utf8("{\"id\":\"ord-1\",\"items\":[{\"price\":0.5}]}")).valid()).isTrue();
    }

    @Test
    void pointersEscapeSlashAndTilde() {
        JsonBodyCheck check = new JsonBodyCheck(
                BodySchema.fromText("t", "{\"additionalProperties\":{\"type\":\"integer\"}}"), 8, 100);
        assertThat(check.check(utf8("{\"a/b~c\":\"x\"}")).violations().get(0).where()).isEqualTo("/a~1b~0c");
    }

    @Test
    void aLargeInvalidBodyReportsOnlyItsFirstViolation() {
        JsonBodyCheck strings = new JsonBodyCheck(
                BodySchema.fromText("strings", "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"), 8, 1 << 20);
        String small = "[" + "1,".repeat(100) + "1]";
        assertThat(strings.check(utf8(small)).violations()).hasSize(101);
        String large = "[" + "1,".repeat(JsonBodyCheck.FULL_REPORT_BYTES) + "1]";
        BodyVerdict verdict = strings.check(utf8(large));
        assertThat(verdict.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(verdict.violations()).hasSize(1);
        assertThat(verdict.violations().get(0).where()).isEqualTo("/0");
    }

    @Test
    void failFastStillAcceptsValidBodiesThatTryAlternatives() {
        JsonBodyCheck either = new JsonBodyCheck(BodySchema.fromText("either",
                "{\"type\":\"array\",\"items\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}}"),
                8, 1 << 20);
        String large = "[" + "1,\"a\",".repeat(JsonBodyCheck.FULL_REPORT_BYTES / 4) + "2]";
        assertThat(either.check(utf8(large)).valid()).isTrue();
        assertThat(either.check(utf8("[" + "1,".repeat(JsonBodyCheck.FULL_REPORT_BYTES) + "true]")).outcome())
                .isEqualTo(Outcome.INVALID);
    }

    @Test
    void byteBufsAreCheckedInPlaceAndLeftToTheCaller() {
        byte[] bytes = utf8("xx{\"id\":\"ord-1\",\"items\":[]}");
        ByteBuf heap = Unpooled.wrappedBuffer(bytes).skipBytes(2);
        ByteBuf direct = Unpooled.directBuffer().writeBytes(bytes).skipBytes(2);
        try {
            assertThat(order.check(heap).valid()).isTrue();
            assertThat(order.check(direct).valid()).isTrue();
            assertThat(heap.readerIndex()).isEqualTo(2);
            assertThat(direct.readerIndex()).isEqualTo(2);
            assertThat(heap.refCnt()).isEqualTo(1);
            assertThat(direct.refCnt()).isEqualTo(1);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void limitsAreValidatedWithNamedMessages() {
        assertThatThrownBy(() -> new JsonBodyCheck(BodySchema.none(), 0, 10))
                .hasMessage("max_depth must be between 1 and 512, was 0");
        assertThatThrownBy(() -> new JsonBodyCheck(BodySchema.none(), 10, 0))
                .hasMessage("max_bytes must be > 0, was 0");
    }
}

package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule's pass and failure, decoding that matches what backends see, and unknown parameters. */
class QueryRulesTest {

    private final QueryRules rules = QueryRules.builder()
            .param(QueryParam.named("limit").type(ParamType.INTEGER).maxLength(4).build())
            .param(QueryParam.named("q").required(true).maxLength(5).build())
            .param(QueryParam.named("sort").allowedValues(List.of("asc", "desc")).build())
            .param(QueryParam.named("id").pattern("[a-z]{2}-[0-9]+").build())
            .param(QueryParam.named("tag").repeatable(true).maxLength(3).build())
            .param(QueryParam.named("price").type(ParamType.NUMBER).build())
            .param(QueryParam.named("draft").type(ParamType.BOOLEAN).build())
            .build();

    @Test
    void aQueryFollowingEveryRulePasses() {
        assertThat(rules.check("q=shoe&limit=20&sort=asc&id=ab-12&tag=a&tag=b&price=-1.5e3&draft=false&other=1"))
                .isEmpty();
        assertThat(rules.check("?q=x")).isEmpty();
    }

    @Test
    void requiredParameters() {
        assertThat(rules.check("")).containsExactly(new Violation("query.q", "is required", "required"));
        assertThat(rules.check(null)).extracting(Violation::code).containsExactly("required");
        assertThat(rules.check("q")).isEmpty();
    }

    @Test
    void maxLengthCountsDecodedCodePoints() {
        assertThat(rules.check("q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9")).isEmpty();
        assertThat(rules.check("q=abcdef")).containsExactly(
                new Violation("query.q", "must be at most 5 characters", "max_length"));
        assertThat(rules.check("q=x&limit=12345")).extracting(Violation::code).containsExactly("max_length");
    }

    @Test
    void types() {
        assertThat(rules.check("q=x&limit=abc")).containsExactly(
                new Violation("query.limit", "must be an integer", "type"));
        assertThat(rules.check("q=x&price=1e")).containsExactly(
                new Violation("query.price", "must be a number", "type"));
        assertThat(rules.check("q=x&draft=yes")).containsExactly(
                new Violation("query.draft", "must be a boolean", "type"));
        for (String ok : new String[] {"0", "-0", "12", "9223372036854775807", "-9223372036854775808"}) {
            assertThat(ParamType.INTEGER.accepts(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", "-", "+1", "1.0", "0x1F", "9223372036854775808", "１２", " 1"}) {
            assertThat(ParamType.INTEGER.accepts(bad)).as(bad).isFalse();
        }
        for (String ok : new String[] {"0", "-0.5", "1e10", "1E+2", "3.25e-1"}) {
            assertThat(ParamType.NUMBER.accepts(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", ".5", "1.", "01", "NaN", "Infinity", "1e", "+1", "0x10", "1_000"}) {
            assertThat(ParamType.NUMBER.accepts(bad)).as(bad).isFalse();
        }
        assertThat(ParamType.BOOLEAN.accepts("True")).isFalse();
    }

    @Test
    void allowedValuesAndPattern() {
        assertThat(rules.check("q=x&sort=up")).containsExactly(
                new Violation("query.sort", "must be one of asc, desc", "allowed_values"));
        assertThat(rules.check("q=x&id=AB-12")).containsExactly(
                new Violation("query.id", "must match [a-z]{2}-[0-9]+", "pattern"));
        // The whole value must match, not a part of it.
        assertThat(rules.check("q=x&id=ab-12x")).extracting(Violation::code).containsExactly("pattern");
    }

    @Test
    void repetition() {
        assertThat(rules.check("q=x&q=y")).containsExactly(
                new Violation("query.q", "must appear once, appeared 2 times", "repeated"));
        assertThat(rules.check("q=x&tag=a&tag=b&tag=c")).isEmpty();
        assertThat(rules.check("q=x&tag=a&tag=long")).containsExactly(
                new Violation("query.tag", "must be at most 3 characters", "max_length"));
    }

    @Test
    void decodingMatchesWhatBackendsDecode() {
        QueryRules exact = QueryRules.builder()
                .param(QueryParam.named("q").allowedValues(List.of("a b", "a;b", "ü")).build())
                .build();
        assertThat(exact.check("q=a+b")).isEmpty();
        assertThat(exact.check("q=a%20b")).isEmpty();
        assertThat(exact.check("q=a;b")).isEmpty();
        assertThat(exact.check("q=%C3%BC")).isEmpty();
        assertThat(exact.check("%71=a+b")).isEmpty();
        assertThat(exact.check("q=a%zzb")).singleElement().satisfies(v -> {
            assertThat(v.where()).isEqualTo("query");
            assertThat(v.code()).isEqualTo("malformed");
            assertThat(v.what()).contains("q=a%zzb");
        });
        assertThat(exact.check("q=%C3")).extracting(Violation::code).containsExactly("malformed");
        assertThat(exact.check("q=%")).extracting(Violation::code).containsExactly("malformed");
        assertThat(exact.check("q=%٣٣")).extracting(Violation::code).containsExactly("malformed");
    }

    @Test
    void aParameterCannotHideBehindManyOthers() {
        String junk = "x=1&".repeat(2000);
        assertThat(rules.check(junk + "q=x&limit=99999")).extracting(Violation::where)
                .containsExactly("query.limit");
    }

    @Test
    void unknownParametersAreRefusedOnlyWhenAsked() {
        QueryRules strict = QueryRules.builder()
                .param(QueryParam.named("q").build())
                .allowUnknown(false)
                .build();
        assertThat(strict.allowUnknown()).isFalse();
        assertThat(strict.check("q=1")).isEmpty();
        assertThat(strict.check("q=1&debug=1&debug=2&trace")).containsExactly(
                new Violation("query.debug", "is not a known parameter", "unknown"),
                new Violation("query.trace", "is not a known parameter", "unknown"));
        assertThat(QueryRules.builder().build().check("anything=1")).isEmpty();
        assertThat(QueryRules.none().check("%zz")).isEmpty();
    }

    @Test
    void checkUriSplitsTheTarget() {
        assertThat(rules.checkUri("/search?q=x&limit=1#frag")).isEmpty();
        assertThat(rules.checkUri("/search")).extracting(Violation::code).containsExactly("required");
    }

    @Test
    void rulesAreValidatedWithNamedMessages() {
        assertThatThrownBy(() -> QueryParam.named("id").pattern("[a-").build())
                .hasMessageStartingWith("query.id.pattern is not a valid regular expression");
        assertThatThrownBy(() -> QueryParam.named("limit").maxLength(0))
                .hasMessage("query.limit.max_length must be > 0, was 0");
        assertThatThrownBy(() -> QueryParam.named("limit").type(ParamType.INTEGER)
                .allowedValues(List.of("10", "many")).build())
                .hasMessage("query.limit.allowed_values has 'many', which is not an integer");
        assertThatThrownBy(() -> QueryRules.builder().param(QueryParam.named("a").build())
                .param(QueryParam.named("a").build()))
                .hasMessage("query parameter 'a' is declared twice");
    }
}

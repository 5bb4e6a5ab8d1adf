package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact types, wildcards and +suffix ranges; parameters and case ignored; a body must say what it is. */
class ContentTypesTest {

    private final ContentTypes allow = ContentTypes.of("application/json", "application/*+json",
            "multipart/form-data", "text/*");

    private static HttpHeaders contentType(String... values) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String value : values) {
            headers.add(HttpHeaderNames.CONTENT_TYPE, value);
        }
        return headers;
    }

    @Test
    void matchesExactWildcardAndSuffixIgnoringParametersAndCase() {
        assertThat(allow.allows("application/json")).isTrue();
        assertThat(allow.allows("Application/JSON; charset=UTF-8")).isTrue();
        assertThat(allow.allows("application/problem+json")).isTrue();
        assertThat(allow.allows("application/vnd.api+json ; charset=utf-8")).isTrue();
        assertThat(allow.allows("multipart/form-data; boundary=----x")).isTrue();
        assertThat(allow.allows("text/plain")).isTrue();
        assertThat(allow.allows("TEXT/CSV")).isTrue();
    }

    @Test
    void refusesOthersAndNonsense() {
        assertThat(allow.allows("application/xml")).isFalse();
        assertThat(allow.allows("application/+json")).isFalse();
        assertThat(allow.allows("application/jsonx")).isFalse();
        assertThat(allow.allows("image/json")).isFalse();
        assertThat(allow.allows("application/json, text/html")).isFalse();
        assertThat(allow.allows("json")).isFalse();
        assertThat(allow.allows("")).isFalse();
        assertThat(allow.allows(null)).isFalse();
        assertThat(ContentTypes.of("*/*").allows("image/png")).isTrue();
        assertThat(ContentTypes.of("*/*").allows("garbage")).isFalse();
    }

    @Test
    void aBodyWithoutContentTypeIsRefusedWhenAnAllowlistIsSet() {
        assertThat(allow.check(contentType(), true)).containsExactly(new Violation("header.content-type",
                "is required for a request with a body; allowed: application/json, application/*+json, "
                        + "multipart/form-data, text/*", "missing"));
        assertThat(allow.check(contentType(), false)).isEmpty();
        assertThat(allow.check(contentType("image/png"), false)).isEmpty();
        assertThat(ContentTypes.any().check(contentType(), true)).isEmpty();
    }

    @Test
    void checkReportsUnsupportedMalformedAndRepeated() {
        assertThat(allow.check(contentType("application/json; charset=utf-8"), true)).isEmpty();
        assertThat(allow.check(contentType("application/XML"), true)).singleElement()
                .satisfies(v -> {
                    assertThat(v.where()).isEqualTo("header.content-type");
                    assertThat(v.what()).startsWith("application/xml is not allowed; allowed: application/json");
                    assertThat(v.code()).isEqualTo("unsupported");
                });
        assertThat(allow.check(contentType("nonsense"), true)).extracting(Violation::code).containsExactly("malformed");
        assertThat(allow.check(contentType("application/json", "text/plain"), true))
                .extracting(Violation::code).containsExactly("repeated");
    }

    @Test
    void anyAllowsEverything() {
        assertThat(ContentTypes.any().acceptsAll()).isTrue();
        assertThat(ContentTypes.any().allows(null)).isTrue();
        assertThat(ContentTypes.any().allows("x")).isTrue();
        assertThat(allow.acceptsAll()).isFalse();
    }

    @Test
    void configEntriesAreValidated() {
        assertThatThrownBy(() -> ContentTypes.of("application/json; charset=utf-8"))
                .hasMessage("content type 'application/json; charset=utf-8' must not have parameters"
                        + " (they are ignored when matching)");
        assertThatThrownBy(() -> ContentTypes.of("json")).hasMessage("content type 'json' is not type/subtype");
        assertThatThrownBy(() -> ContentTypes.of("*/json"))
                .hasMessage("content type '*/json': a wildcard type needs a wildcard subtype");
        assertThatThrownBy(() -> ContentTypes.of("application/js*"))
                .hasMessageContaining("'*' may only stand for");
        assertThatThrownBy(() -> ContentTypes.of(List.of()))
                .hasMessageContaining("at least one");
    }

    @Test
    void recognisesJson() {
        assertThat(ContentTypes.isJson("application/json;charset=utf-8")).isTrue();
        assertThat(ContentTypes.isJson("application/merge-patch+json")).isTrue();
        assertThat(ContentTypes.isJson("text/json")).isFalse();
        assertThat(ContentTypes.isJson(null)).isFalse();
    }
}

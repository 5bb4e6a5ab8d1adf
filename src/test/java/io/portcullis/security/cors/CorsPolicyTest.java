package io.portcullis.security.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Fetch standard's CORS protocol: preflights answered or refused, actual responses decorated, Vary kept right. */
class CorsPolicyTest {

    private final CorsPolicy app = CorsPolicy.builder()
            .allowedOrigins(List.of("https://app.example.com", "https://*.example.org", "http://localhost:3000"))
            .allowedMethods(List.of("GET", "POST", "DELETE"))
            .allowedHeaders(List.of("Content-Type", "X-Request-Id"))
            .exposedHeaders(List.of("X-Request-Id", "ETag"))
            .allowCredentials(true)
            .maxAge(Duration.ofMinutes(10))
            .build();

    private final CorsPolicy open = CorsPolicy.builder().allowedOrigins(List.of("*")).build();

    private static Preflight.Allowed allowed(Preflight preflight) {
        assertThat(preflight).isInstanceOf(Preflight.Allowed.class);
        return (Preflight.Allowed) preflight;
    }

    private static Preflight.Refused refused(Preflight preflight) {
        assertThat(preflight).isInstanceOf(Preflight.Refused.class);
        return (Preflight.Refused) preflight;
    }

    @Test
    void recognisesPreflights() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HttpHeaderNames.ORIGIN, "https://app.example.com")
                .set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "DELETE");
        assertThat(CorsPolicy.isPreflight(HttpMethod.OPTIONS, headers)).isTrue();
        assertThat(CorsPolicy.isPreflight(HttpMethod.DELETE, headers)).isFalse();
        headers.remove(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        assertThat(CorsPolicy.isPreflight(HttpMethod.OPTIONS, headers)).isFalse();
    }

    @Test
    void anAllowedPreflightGetsTheExactHeaders() {
        Preflight.Allowed answer = allowed(app.preflight("https://app.example.com", "DELETE",
                "x-request-id,Content-Type"));
        assertThat(answer.allowed()).isTrue();
        assertThat(answer.headers()).extracting(e -> e.getKey() + ": " + e.getValue()).containsExactly(
                "access-control-allow-origin: https://app.example.com",
                "access-control-allow-credentials: true",
                "access-control-allow-methods: GET, POST, DELETE",
                "access-control-allow-headers: x-request-id, content-type",
                "access-control-max-age: 600",
                "vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        HttpHeaders response = new DefaultHttpHeaders();
        answer.applyTo(response);
        assertThat(response.get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
        assertThat(answer.get("Access-Control-Max-Age")).isEqualTo("600");
    }

    @Test
    void noRequestedHeadersMeansNoAllowHeaders() {
        Preflight.Allowed answer = allowed(app.preflight("https://app.example.com", "GET", null));
        assertThat(answer.get("access-control-allow-headers")).isNull();
        assertThat(allowed(app.preflight("https://app.example.com", "GET", " , ")).get("access-control-allow-headers"))
                .isNull();
    }

    @Test
    void preflightsAreRefusedWithAReason() {
        Preflight.Refused origin = refused(app.preflight("https://evil.example.net", "GET", null));
        assertThat(origin.reason()).isEqualTo(CorsRefusal.ORIGIN_NOT_ALLOWED);
        assertThat(origin.message()).isEqualTo("origin 'https://evil.example.net' is not allowed");
        assertThat(origin.reason().error()).isEqualTo("CORS_ORIGIN_NOT_ALLOWED");

        Preflight.Refused method = refused(app.preflight("https://app.example.com", "PUT", null));
        assertThat(method.reason()).isEqualTo(CorsRefusal.METHOD_NOT_ALLOWED);
        assertThat(method.message()).isEqualTo("method 'PUT' is not allowed; allowed: GET, POST, DELETE");
        // Methods are case-sensitive tokens.
        assertThat(refused(app.preflight("https://app.example.com", "delete", null)).reason())
                .isEqualTo(CorsRefusal.METHOD_NOT_ALLOWED);

        Preflight.Refused header =
                refused(app.preflight("https://app.example.com", "GET", "content-type,authorization"));
        assertThat(header.reason()).isEqualTo(CorsRefusal.HEADERS_NOT_ALLOWED);
        assertThat(header.message()).isEqualTo("header 'authorization' is not allowed");
        assertThat(refused(app.preflight("https://app.example.com", "GET", "bad header")).reason())
                .isEqualTo(CorsRefusal.HEADERS_NOT_ALLOWED);
        assertThat(refused(app.preflight(null, "GET", null)).message()).isEqualTo("no Origin");
        assertThat(refused(app.preflight("https://app.example.com", null, null)).reason())
                .isEqualTo(CorsRefusal.METHOD_NOT_ALLOWED);
    }

    @Test
    void originsMatchExactlyOrBySubdomain() {
        assertThat(app.allowsOrigin("https://app.example.com")).isTrue();
        assertThat(app.allowsOrigin("HTTPS://APP.EXAMPLE.COM")).isTrue();
        assertThat(app.allowsOrigin("https://app.example.com:443")).isTrue();
        assertThat(app.allowsOrigin("http://app.example.com")).isFalse();
        assertThat(app.allowsOrigin("https://app.example.com:8443")).isFalse();
        assertThat(app.allowsOrigin("https://app.example.com.evil.net")).isFalse();
        assertThat(app.allowsOrigin("https://app.example.com/")).isFalse();
        assertThat(app.allowsOrigin("https://xapp.example.com")).isFalse();

        assertThat(app.allowsOrigin("https://a.example.org")).isTrue();
        assertThat(app.allowsOrigin("https://a.b.example.org")).isTrue();
        assertThat(app.allowsOrigin("https://example.org")).isFalse();
        assertThat(app.allowsOrigin("https://evilexample.org")).isFalse();
        assertThat(app.allowsOrigin("http://a.example.org")).isFalse();

        assertThat(app.allowsOrigin("http://localhost:3000")).isTrue();
        assertThat(app.allowsOrigin("http://localhost")).isFalse();
        assertThat(app.allowsOrigin("null")).isFalse();
        assertThat(app.allowsOrigin("")).isFalse();
        assertThat(app.allowsOrigin(null)).isFalse();
        assertThat(app.allowsOrigin("https://user@app.example.com")).isFalse();
    }

    @Test
    void wildcardOriginWithoutCredentialsAnswersStar() {
        Preflight.Allowed answer = allowed(open.preflight("https://anyone.test", "POST", null));
        assertThat(answer.get("access-control-allow-origin")).isEqualTo("*");
        assertThat(answer.get("access-control-allow-credentials")).isNull();
        assertThat(answer.get("access-control-allow-methods")).isEqualTo("GET, HEAD, POST");
        assertThat(answer.get("access-control-max-age")).isNull();
        assertThat(refused(open.preflight("https://anyone.test", "PATCH", null)).reason())
                .isEqualTo(CorsRefusal.METHOD_NOT_ALLOWED);
        assertThat(refused(open.preflight("https://anyone.test", "GET", "x-custom")).reason())
                .isEqualTo(CorsRefusal.HEADERS_NOT_ALLOWED);
    }

    @Test
    void wildcardMethodsAndHeadersEchoTheRequest() {
        CorsPolicy any = CorsPolicy.builder().allowedOrigins(List.of("https://app.example.com"))
                .allowedMethods(List.of("*")).allowedHeaders(List.of("*")).allowCredentials(true).build();
        Preflight.Allowed answer = allowed(any.preflight("https://app.example.com", "PATCH", "Authorization, X-A"));
        assertThat(answer.get("access-control-allow-methods")).isEqualTo("PATCH");
        assertThat(answer.get("access-control-allow-headers")).isEqualTo("authorization, x-a");
        assertThat(answer.get("access-control-allow-origin")).isEqualTo("https://app.example.com");
    }

    @Test
    void preflightFromRequestHeaders() {
        HttpHeaders request = new DefaultHttpHeaders()
                .add(HttpHeaderNames.ORIGIN, "https://app.example.com")
                .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
                .add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "x-request-id");
        assertThat(allowed(app.preflight(request)).get("access-control-allow-headers"))
                .isEqualTo("content-type, x-request-id");
        request.add(HttpHeaderNames.ORIGIN, "https://app.example.com");
        assertThat(refused(app.preflight(request)).reason()).isEqualTo(CorsRefusal.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void actualResponsesGetTheGrantAndVary() {
        HttpHeaders response = new DefaultHttpHeaders().add(HttpHeaderNames.VARY, "Accept-Encoding");
        app.addResponseHeaders("https://a.example.org", response);
        assertThat(response.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("https://a.example.org");
        assertThat(response.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
        assertThat(response.get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)).isEqualTo("X-Request-Id, ETag");
        assertThat(response.getAll(HttpHeaderNames.VARY)).containsExactly("Accept-Encoding", "Origin");
        assertThat(response.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();

        app.addResponseHeaders("https://a.example.org", response);
        assertThat(response.getAll(HttpHeaderNames.VARY)).containsExactly("Accept-Encoding", "Origin");
        assertThat(response.getAll(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).hasSize(1);
    }

    @Test
    void missingOrDisallowedOriginsGetNoGrantButStillVary() {
        for (String origin : new String[] {null, "https://evil.example.net", "null"}) {
            HttpHeaders response = new DefaultHttpHeaders()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            app.addResponseHeaders(origin, response);
            assertThat(response.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).as(origin).isFalse();
            assertThat(response.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isFalse();
            assertThat(response.contains(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS)).isFalse();
            assertThat(response.getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
        }
    }

    @Test
    void varyIsNotDuplicatedNorAddedToStar() {
        HttpHeaders star = new DefaultHttpHeaders().set(HttpHeaderNames.VARY, "*");
        open.addResponseHeaders("https://x.test", star);
        assertThat(star.getAll(HttpHeaderNames.VARY)).containsExactly("*");
        assertThat(star.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");

        HttpHeaders listed = new DefaultHttpHeaders().set(HttpHeaderNames.VARY, "accept-encoding, origin");
        open.addResponseHeaders("https://x.test", listed);
        assertThat(listed.getAll(HttpHeaderNames.VARY)).containsExactly("accept-encoding, origin");
    }

    @Test
    void constructionErrorsNameTheSetting() {
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("*")).allowCredentials(true).build())
                .hasMessageStartingWith("cors.allow_credentials cannot be combined with allowed_origins '*'");
        assertThatThrownBy(() -> CorsPolicy.builder().build())
                .hasMessage("cors.allowed_origins must list at least one origin");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("*", "https://a.test")).build())
                .hasMessageContaining("list it alone");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://app.example.com/")).build())
                .hasMessage("cors.allowed origin 'https://app.example.com/' must be '*', scheme://host[:port] or"
                        + " scheme://*.domain[:port], without a path or trailing slash");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("app.example.com")).build())
                .hasMessageContaining("scheme://host[:port]");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://*.com")).build())
                .hasMessageContaining("too broad");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://a.*.example.com")).build())
                .hasMessageContaining("scheme://*.domain");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("null")).build())
                .hasMessageContaining("cannot be allowlisted");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://a.test"))
                .allowCredentials(true).exposedHeaders(List.of("*")).build())
                .hasMessageContaining("cors.exposed_headers '*'");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://a.test"))
                .allowedHeaders(List.of("x y")).build())
                .hasMessage("cors.allowed_headers: 'x y' is not a valid token");
        assertThatThrownBy(() -> CorsPolicy.builder().allowedOrigins(List.of("https://a.test"))
                .maxAge(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("cors.max_age must be >= 0");
    }
}

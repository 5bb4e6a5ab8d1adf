package io.portcullis.security;

import io.portcullis.config.ListenerConfig;
import io.portcullis.config.PolicyConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.Filters;
import io.portcullis.security.cors.CorsPolicy;
import io.portcullis.security.cors.SecurityHeaders;
import io.portcullis.security.ip.IpMatcher;
import io.portcullis.security.ip.IpSet;
import io.portcullis.security.validate.AllowedMethods;
import io.portcullis.security.validate.BodySchema;
import io.portcullis.security.validate.ContentTypes;
import io.portcullis.security.validate.JsonBodyCheck;
import io.portcullis.security.validate.ParamType;
import io.portcullis.security.validate.QueryParam;
import io.portcullis.security.validate.QueryRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a route's policy, on top of its listener's, into filters in the one order security needs: response headers
 * (so refusals carry them), IP lists, anomaly actions, CORS (preflights carry no credentials), authentication,
 * authorization, anomaly actions by consumer, rate limits, validation, injection, overload admission; then the
 * route's own filters.
 */
final class PolicyFilters {
    private PolicyFilters() {
    }

    static List<Filter> create(SecurityRuntime runtime, RouteConfig route, ListenerConfig listener,
            TrafficFilters traffic) {
        PolicyConfig r = route.security();
        PolicyConfig l = listener.security();
        List<Filter> out = new ArrayList<>();
        PolicyConfig.SecurityHeaders headers = r.headers() != null ? r.headers() : l.headers();
        if (headers != null) {
            out.add(new ResponseHeadersFilter(securityHeaders(headers), listener.tls() != null));
        }
        IpFilter ip = ipFilter(runtime, l.ip(), r.ip());
        if (ip != null) {
            out.add(ip);
        }
        if (traffic.anomaly() != null) {
            out.add(traffic.anomaly()); // before authentication: a blocked client costs no signature check
        }
        PolicyConfig.Cors cors = r.cors() != null ? r.cors() : l.cors();
        if (cors != null) {
            out.add(new CorsFilter(corsPolicy(cors)));
        }
        List<String> auth = !r.auth().isEmpty() ? r.auth() : l.auth();
        boolean required = !r.isPublic() && !auth.isEmpty();
        if (required || runtime.definesIdentity()) {
            out.add(new AuthFilter(required ? methods(runtime, auth) : List.of(), required,
                    runtime.identityHeaders(), runtime.config().consumerHeader()));
        }
        PolicyConfig.Authorize authorize = r.authorize() != null ? r.authorize() : l.authorize();
        if (authorize != null && !r.isPublic()) {
            out.add(new AuthorizeFilter(authorize));
        }
        if (traffic.consumerAnomaly() != null) {
            out.add(traffic.consumerAnomaly()); // once the consumer is known, and before it costs a rate-limit token
        }
        if (traffic.rateLimit() != null) {
            out.add(traffic.rateLimit()); // after authorization: limits may count by consumer and role
        }
        PolicyConfig.Validate validate = r.validate() != null ? r.validate() : l.validate();
        if (validate != null) {
            out.add(validateFilter(validate));
        }
        PolicyConfig.Injection injection = r.injection() != null ? r.injection() : l.injection();
        if (injection != null) {
            out.add(new InjectionFilter(injection));
        }
        if (traffic.admission() != null) {
            out.add(traffic.admission()); // last: only requests that passed every check wait for a slot
        }
        out.addAll(Filters.create(route.filters()));
        return List.copyOf(out);
    }

    private static IpFilter ipFilter(SecurityRuntime runtime, PolicyConfig.IpRule... rules) {
        List<IpMatcher> allow = new ArrayList<>();
        List<IpMatcher> deny = new ArrayList<>();
        boolean any = false;
        for (PolicyConfig.IpRule rule : rules) {
            if (rule == null) {
                continue;
            }
            any = true;
            if (!rule.allow().isEmpty()) {
                allow.add(IpSet.parse(rule.allow()));
            }
            if (!rule.deny().isEmpty()) {
                deny.add(IpSet.parse(rule.deny()));
            }
            for (String name : rule.lists()) {
                SecurityRuntime.NamedIpList list = runtime.ipList(name);
                allow.addAll(list.allow());
                deny.addAll(list.deny());
            }
        }
        return any ? new IpFilter(allow, deny) : null;
    }

    private static List<AuthFilter.Method> methods(SecurityRuntime runtime, List<String> names) {
        List<AuthFilter.Method> methods = new ArrayList<>();
        List<JwtProvider> providers = new ArrayList<>();
        for (String name : names) {
            if (name.equals("jwt")) {
                providers.add(runtime.onlyJwt());
            } else if (name.startsWith("jwt:")) {
                providers.add(runtime.jwt(name.substring(4)));
            }
        }
        boolean jwtAdded = false;
        for (String name : names) {
            if (name.startsWith("jwt")) {
                if (!jwtAdded) {
                    methods.add(new AuthFilter.Jwt(List.copyOf(providers)));
                    jwtAdded = true;
                }
            } else if (name.equals("api_key")) {
                methods.add(runtime.apiKeys());
            } else if (name.equals("mtls")) {
                methods.add(new AuthFilter.Mtls(runtime.config().clientCertificates()));
            }
        }
        return methods;
    }

    static SecurityHeaders securityHeaders(PolicyConfig.SecurityHeaders config) {
        SecurityHeaders.Builder builder = SecurityHeaders.builder();
        if (!config.defaults()) {
            SecurityHeaders.defaults().headers().forEach(h -> builder.remove(h.getKey()));
        }
        for (Map.Entry<String, String> h : config.extra()) {
            builder.header(h.getKey(), h.getValue());
        }
        return builder.build();
    }

    static CorsPolicy corsPolicy(PolicyConfig.Cors cors) {
        CorsPolicy.Builder builder = CorsPolicy.builder()
                .allowedOrigins(cors.origins())
                .allowedMethods(cors.methods())
                .allowedHeaders(cors.headers())
                .exposedHeaders(cors.exposeHeaders())
                .allowCredentials(cors.credentials());
        if (cors.maxAge() != null) {
            builder.maxAge(cors.maxAge());
        }
        return builder.build();
    }

    static ValidateFilter validateFilter(PolicyConfig.Validate v) {
        QueryRules.Builder query = QueryRules.builder().allowUnknown(v.allowUnknownQuery());
        v.query().forEach((name, q) -> {
            QueryParam.Builder p = QueryParam.named(name).required(q.required()).repeatable(q.repeated())
                    .type(ParamType.valueOf(q.type().toUpperCase(Locale.ROOT)));
            if (q.maxLength() > 0) {
                p.maxLength(q.maxLength());
            }
            if (q.pattern() != null) {
                p.pattern(q.pattern());
            }
            if (!q.values().isEmpty()) {
                p.allowedValues(q.values());
            }
            query.param(p.build());
        });
        JsonBodyCheck body = v.checksBody() ? new JsonBodyCheck(
                v.jsonSchema() == null ? BodySchema.none() : BodySchema.fromFile(v.jsonSchema()),
                v.maxJsonDepth() > 0 ? v.maxJsonDepth() : PolicyConfig.Validate.DEFAULT_MAX_DEPTH,
                (int) Math.min(Integer.MAX_VALUE, v.maxJsonSize())) : null;
        return new ValidateFilter(v.methods().isEmpty() ? AllowedMethods.any() : AllowedMethods.of(v.methods()),
                v.contentTypes().isEmpty() ? ContentTypes.any() : ContentTypes.of(v.contentTypes()), query.build(),
                body, v.maxJsonSize());
    }
}

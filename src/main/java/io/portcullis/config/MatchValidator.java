package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks one route's {@code match} beyond its schema: path kinds, regexes, header conditions, methods and hosts.
 *
 * <p>Part of {@link SemanticValidator}, the fourth stage of {@link ConfigLoader}; the router relies on these
 * checks, so a loaded {@link RouteConfig.Match} never holds an uncompilable regex or an ambiguous path rule.
 */
final class MatchValidator {

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?");
    private static final List<String> PATH_KINDS = List.of("path", "path_prefix", "path_regex");

    private final SourceTree tree;
    private final List<ConfigError> errors;

    MatchValidator(SourceTree tree, List<ConfigError> errors) {
        this.tree = tree;
        this.errors = errors;
    }

    void validate(JsonNode match, String path) {
        if (!match.isObject()) {
            return;
        }
        paths(match, path);
        if (match.has("host") && match.has("hosts")) {
            errors.add(tree.errorAtKey(path + "/host", "set either host or hosts, not both"));
        }
        hosts(match.path("hosts"), path + "/hosts");
        if (match.path("host").isTextual()) {
            host(match.path("host").textValue(), path + "/host");
        }
        JsonNode methods = match.path("methods");
        for (int i = 0; i < methods.size(); i++) {
            JsonNode method = methods.path(i);
            if (method.isTextual() && !TOKEN.matcher(method.textValue()).matches()) {
                errors.add(tree.errorAt(SourceTree.child(path + "/methods", i), "'" + method.textValue()
                        + "' is not an HTTP method; expected a token such as GET or POST"));
            }
        }
        JsonNode headers = match.path("headers");
        for (int i = 0; i < headers.size(); i++) {
            header(headers.path(i), SourceTree.child(path + "/headers", i));
        }
    }

    private void paths(JsonNode match, String path) {
        List<String> kinds = new ArrayList<>();
        for (String kind : PATH_KINDS) {
            if (match.has(kind)) {
                kinds.add(kind);
            }
        }
        if (kinds.size() > 1) {
            errors.add(tree.errorAt(path, "at most one of path, path_prefix, path_regex may be set, found "
                    + String.join(", ", kinds)));
        }
        for (String kind : List.of("path", "path_prefix")) {
            JsonNode value = match.path(kind);
            if (value.isTextual() && !value.textValue().startsWith("/")) {
                errors.add(tree.errorAt(path + "/" + kind,
                        kind + " must start with '/', was '" + value.textValue() + "'"));
            }
        }
        regex(match.path("path_regex"), path + "/path_regex");
    }

    private void hosts(JsonNode hosts, String path) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.path(i).isTextual()) {
                host(hosts.path(i).textValue(), SourceTree.child(path, i));
            }
        }
    }

    private void host(String host, String path) {
        if (!HOST.matcher(host).matches()) {
            errors.add(tree.errorAt(path, "invalid host '" + host
                    + "'; expected a name such as api.example.com or a leading wildcard such as *.example.com"));
        }
    }

    private void header(JsonNode header, String path) {
        if (!header.isObject()) {
            return;
        }
        int conditions = (header.has("exact") ? 1 : 0) + (header.has("regex") ? 1 : 0)
                + (header.has("present") ? 1 : 0);
        if (conditions != 1) {
            errors.add(tree.errorAt(path, "header match must set exactly one of exact, regex, present; found "
                    + conditions));
        }
        JsonNode name = header.path("name");
        if (name.isTextual() && !TOKEN.matcher(name.textValue()).matches()) {
            errors.add(tree.errorAt(path + "/name", "'" + name.textValue() + "' is not a valid header name"));
        }
        regex(header.path("regex"), path + "/regex");
    }

    private void regex(JsonNode value, String path) {
        if (!value.isTextual()) {
            return;
        }
        try {
            Pattern.compile(value.textValue());
        } catch (PatternSyntaxException e) {
            errors.add(tree.errorAt(path, "invalid regex '" + value.textValue() + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "")));
        }
    }
}

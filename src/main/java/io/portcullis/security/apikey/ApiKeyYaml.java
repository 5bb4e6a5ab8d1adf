package io.portcullis.security.apikey;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.security.files.FileFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The key file format, read token by token so every error names its line:
 *
 * <pre>
 * consumers:
 *   - name: billing
 *     roles: [ orders.read ]
 *     keys: [ "sha256:…", "sha256:…" ]
 * </pre>
 *
 * An empty file is an empty store. Unknown fields are errors, since a typo ({@code key:} for {@code keys:}) would
 * otherwise silently leave a consumer without keys. Writing produces the same layout, every string quoted.
 */
final class ApiKeyYaml {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private ApiKeyYaml() {}

    static ApiKeyStore read(Path file, String content) throws FileFormatException {
        try (JsonParser p = YAML.createParser(content)) {
            return new Reader(file, p).document();
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                throw new FileFormatException(file, yaml.getProblemMark().getLine() + 1, "invalid YAML: "
                        + yaml.getProblem() + (yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")"));
            }
            int line = e.getLocation() == null ? 0 : Math.max(e.getLocation().getLineNr(), 0);
            throw new FileFormatException(file, line, "invalid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse("syntax error"));
        } catch (IOException e) {
            throw new FileFormatException(file, 0, "cannot parse: " + e);
        }
    }

    static String write(ApiKeyStore store) {
        StringBuilder out = new StringBuilder(256 + 96 * store.keyCount());
        out.append("# Portcullis API keys: SHA-256 hashes only, never the keys themselves.\n")
                .append("# Add a key with: portcullis keys add --consumer NAME --file THIS_FILE\n")
                .append("consumers:");
        if (store.isEmpty()) {
            return out.append(" []\n").toString();
        }
        out.append('\n');
        for (ApiConsumer c : store.consumers()) {
            out.append("  - name: ").append(quote(c.name())).append('\n');
            out.append("    roles: [");
            String separator = "";
            for (String role : c.roles()) {
                out.append(separator).append(quote(role));
                separator = ", ";
            }
            out.append("]\n");
            if (c.keys().isEmpty()) {
                out.append("    keys: []\n");
            } else {
                out.append("    keys:\n");
                for (String key : c.keys()) {
                    out.append("      - ").append(quote(key)).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** Names, roles and hashes hold no quote or backslash (ApiConsumer checks), so plain double quotes do. */
    private static String quote(String s) {
        return '"' + s + '"';
    }

    private static final class Reader {
        private final Path file;
        private final JsonParser p;
        private final Map<String, Integer> names = new HashMap<>();
        private final Map<String, String> owners = new HashMap<>();

        Reader(Path file, JsonParser p) {
            this.file = file;
            this.p = p;
        }

        ApiKeyStore document() throws IOException, FileFormatException {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.VALUE_NULL) {
                return ApiKeyStore.empty();
            }
            expect(t, JsonToken.START_OBJECT, "the file must be a mapping with a consumers list");
            List<ApiConsumer> consumers = new ArrayList<>();
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!field.equals("consumers")) {
                    throw error("unknown field \"" + field + "\" (the only one is consumers)");
                }
                if (seen) {
                    throw error("consumers is given twice");
                }
                seen = true;
                JsonToken value = p.nextToken();
                if (isNull(value)) {
                    continue;
                }
                expect(value, JsonToken.START_ARRAY, "consumers must be a list");
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    consumers.add(consumer());
                }
            }
            if (p.nextToken() != null) {
                throw error("only one YAML document is allowed");
            }
            try {
                return ApiKeyStore.of(consumers); // already checked with lines above; this is the last word
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, 0, e.getMessage());
            }
        }

        private ApiConsumer consumer() throws IOException, FileFormatException {
            expect(p.currentToken(), JsonToken.START_OBJECT, "each consumer must be a mapping with name, roles"
                    + " and keys");
            int line = line();
            String name = null;
            List<String> roles = null;
            List<String> keys = null;
            int nameLine = line;
            List<Integer> roleLines = new ArrayList<>();
            List<Integer> keyLines = new ArrayList<>();
            Set<String> fields = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!fields.add(field)) {
                    throw error(field + " is given twice");
                }
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> {
                        nameLine = line();
                        name = scalar(value, "name");
                    }
                    case "roles" -> roles = list(value, "roles", roleLines);
                    case "keys" -> keys = list(value, "keys", keyLines);
                    default -> throw error("unknown field \"" + field + "\" (expected name, roles, keys)");
                }
            }
            if (name == null) {
                throw new FileFormatException(file, line, "a consumer has no name");
            }
            Integer other = names.putIfAbsent(name, nameLine);
            if (other != null) {
                throw new FileFormatException(file, nameLine, "consumer " + name + " is already defined on line "
                        + other);
            }
            roles = roles == null ? List.of() : roles;
            keys = keys == null ? List.of() : keys;
            checkName(nameLine, "consumer name", name);
            for (int i = 0; i < roles.size(); i++) {
                checkName(roleLines.get(i), "role of consumer " + name, roles.get(i));
            }
            for (int i = 0; i < keys.size(); i++) {
                String canonical;
                try {
                    canonical = ApiKeys.canonical(keys.get(i));
                } catch (IllegalArgumentException e) {
                    throw new FileFormatException(file, keyLines.get(i), e.getMessage());
                }
                String owner = owners.putIfAbsent(canonical, name);
                if (owner != null) {
                    throw new FileFormatException(file, keyLines.get(i),
                            ApiKeyStore.duplicate(canonical, owner, name));
                }
            }
            return new ApiConsumer(name, new LinkedHashSet<>(roles), keys);
        }

        private void checkName(int line, String what, String value) throws FileFormatException {
            try {
                ApiConsumer.checkName(what, value);
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, line, e.getMessage());
            }
        }

        private List<String> list(JsonToken value, String field, List<Integer> lines)
                throws IOException, FileFormatException {
            if (isNull(value)) {
                return List.of();
            }
            expect(value, JsonToken.START_ARRAY, field + " must be a list");
            List<String> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                lines.add(line());
                items.add(scalar(p.currentToken(), "each of " + field));
            }
            return items;
        }

        /** {@code field:} with nothing after it: YAML's null, which the parser may report as an empty string. */
        private boolean isNull(JsonToken value) throws IOException {
            return value == JsonToken.VALUE_NULL || value == JsonToken.VALUE_STRING && p.getText().isEmpty();
        }

        private String scalar(JsonToken value, String what) throws IOException, FileFormatException {
            if (value == null || !value.isScalarValue() || isNull(value)) {
                throw error(what + " must be a string");
            }
            return p.getText();
        }

        private void expect(JsonToken actual, JsonToken expected, String message) throws FileFormatException {
            if (actual != expected) {
                throw error(message);
            }
        }

        private int line() {
            return Math.max(p.currentTokenLocation().getLineNr(), 0);
        }

        private FileFormatException error(String reason) {
            return new FileFormatException(file, line(), reason);
        }
    }
}

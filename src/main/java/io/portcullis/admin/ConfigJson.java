package io.portcullis.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.file.Path;
import io.portcullis.config.GatewayConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The running config as JSON for {@code GET /config}, spelled the way the config file spells it (snake_case keys,
 * durations such as {@code "15s"}, lower-case enums), with secret-looking values redacted.
 *
 * <p>Redaction works on the JSON tree, by key, not on known record fields: a secret added to the config later is
 * covered as long as its name says what it is.
 */
public final class ConfigJson {
    static final String REDACTED = "[redacted]";

    /**
     * Keys whose string values are secrets, matched after lower-casing and turning {@code -} into {@code _} (so
     * map keys such as {@code X-Api-Key} count). {@code hash_key} and {@code tokens_per_second}-style numbers
     * stay visible: only {@code key} qualified as private or api key matches, and only strings are replaced.
     */
    private static final Pattern SECRET = Pattern.compile(
            ".*(secret|password|passwd|passphrase|token|credential|private_?key|api_?key|authorization).*");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule("portcullis-config").addSerializer(Duration.class, new DurationText())
                    .addSerializer(Path.class, new ToStringSerializer(Path.class)))
            .build();

    private ConfigJson() {
    }

    public static JsonNode redacted(GatewayConfig config) {
        return redactedTree(config);
    }

    /** Any record or bean tree, so tests can show redaction on fields {@link GatewayConfig} does not have yet. */
    static JsonNode redactedTree(Object value) {
        JsonNode tree = MAPPER.valueToTree(value);
        redact(tree);
        return tree;
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String key : names(object)) {
                JsonNode value = object.get(key);
                if (looksSecret(key)) {
                    object.set(key, mask(value));
                } else {
                    redact(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(ConfigJson::redact);
        }
    }

    /** Every string under a secret key, however nested, since a list or map of secrets is still secrets. */
    private static JsonNode mask(JsonNode node) {
        if (node.isTextual()) {
            return TextNode.valueOf(REDACTED);
        }
        if (node instanceof ObjectNode object) {
            for (String key : names(object)) {
                object.set(key, mask(object.get(key)));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, mask(array.get(i)));
            }
        }
        return node;
    }

    // A copy, because the caller replaces values while it walks the keys.
    private static List<String> names(ObjectNode object) {
        List<String> names = new ArrayList<>(object.size());
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static boolean looksSecret(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT).replace('-', '_')).matches();
    }

    /** The largest exact unit the config accepts: {@code 2h}, {@code 90s}, {@code 250ms}; else ISO-8601. */
    static String format(Duration d) {
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (d.isNegative()) {
            return d.toString();
        }
        if (nanos == 0) {
            if (seconds != 0 && seconds % 3600 == 0) {
                return seconds / 3600 + "h";
            }
            if (seconds != 0 && seconds % 60 == 0) {
                return seconds / 60 + "m";
            }
            return seconds + "s";
        }
        if (nanos % 1_000_000 == 0 && seconds < Long.MAX_VALUE / 1000 - 1) {
            return seconds * 1000 + nanos / 1_000_000 + "ms";
        }
        return d.toString();
    }

    private static final class DurationText extends StdSerializer<Duration> {
        DurationText() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format(value));
        }
    }
}

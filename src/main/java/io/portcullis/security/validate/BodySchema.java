package io.portcullis.security.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A route's compiled JSON Schema for request bodies (networknt json-schema-validator), or {@link #none()}.
 *
 * <p>Everything that can go wrong with a schema goes wrong here, while a config snapshot is built: the document is
 * checked against its dialect's meta-schema (draft 2020-12 unless {@code $schema} says otherwise), and every
 * {@code $ref} is resolved eagerly, so a typo such as {@code "type": "strin"} or a dangling reference is a
 * {@link BodySchemaException} naming the file, not a surprise on the first request. References may only reach the
 * bundled meta-schemas and, for a schema loaded from a file, files under that file's directory: the gateway never
 * fetches a schema over the network while serving.
 *
 * <p>{@code format} is asserted ({@code "format": "email"} rejects non-addresses), unlike the 2020-12 default of
 * annotating only, because people who write it into a gateway's schema expect it enforced.
 *
 * <p>Immutable and thread-safe once built; compiled validators are shared by every event loop.
 */
public final class BodySchema {

    private static final BodySchema NONE = new BodySchema("none", null);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final SpecVersion.VersionFlag DEFAULT_DIALECT = SpecVersion.VersionFlag.V202012;

    private final String source;
    private final JsonSchema schema;

    private BodySchema(String source, JsonSchema schema) {
        this.source = source;
        this.schema = schema;
    }

    /** No schema: every well-formed body is accepted, and {@link JsonBodyCheck} builds no tree. */
    public static BodySchema none() {
        return NONE;
    }

    /** Loads a schema file; {@code .yaml} and {@code .yml} files are read as YAML, anything else as JSON. */
    public static BodySchema fromFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(absolute);
        } catch (NoSuchFileException e) {
            throw new BodySchemaException(source, "file not found", e);
        } catch (IOException e) {
            throw new BodySchemaException(source, "cannot read: " + e.getMessage(), e);
        }
        String name = absolute.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
        Path directory = absolute.getParent();
        Predicate<AbsoluteIri> reachable = iri -> isBundled(iri) || isFileUnder(iri, directory);
        return compile(source, parse(source, mapper, bytes), SchemaLocation.of(absolute.toUri().toString()),
                reachable);
    }

    /** Compiles a schema given as JSON text (for example inline in the route's config); {@code name} labels errors. */
    public static BodySchema fromText(String name, String json) {
        return fromTree(name, parse(name, JSON, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** Compiles a schema already parsed (for example a mapping inside the YAML config); the tree is copied. */
    public static BodySchema fromTree(String name, JsonNode document) {
        return compile(name, document.deepCopy(), SchemaLocation.of("urn:portcullis:schema:" + urnSafe(name)),
                BodySchema::isBundled);
    }

    /** Where the schema came from: its file path, the name it was given, or {@code none}. */
    public String source() {
        return source;
    }

    /** True for {@link #none()}. */
    public boolean isNone() {
        return schema == null;
    }

    /**
     * Validates a body against the schema.
     *
     * @param body         the parsed body
     * @param allViolations true to report every violation; false to stop at the first, which bounds the work a large
     *                      body full of errors can cause (each reported violation costs microseconds)
     */
    public List<Violation> validate(JsonNode body, boolean allViolations) {
        if (schema == null) {
            return List.of();
        }
        Set<ValidationMessage> messages = allViolations
                ? schema.validate(body)
                : schema.validate(body, context -> context.getExecutionConfig().setFailFast(true));
        return messages.isEmpty() ? List.of() : SchemaFindings.translate(messages);
    }

    @Override
    public String toString() {
        return "BodySchema[" + source + "]";
    }

    private static JsonNode parse(String source, ObjectMapper mapper, byte[] bytes) {
        try {
            JsonNode document = mapper.readTree(bytes);
            if (document == null || document.isMissingNode()) {
                throw new BodySchemaException(source, "empty document");
            }
            return document;
        } catch (JsonProcessingException e) {
            throw new BodySchemaException(source, "not valid " + (mapper == YAML ? "YAML" : "JSON") + ": "
                    + e.getOriginalMessage() + location(e), e);
        } catch (IOException e) {
            throw new BodySchemaException(source, "cannot parse: " + e.getMessage(), e);
        }
    }

    private static BodySchema compile(String source, JsonNode document, SchemaLocation location,
            Predicate<AbsoluteIri> reachable) {
        if (!document.isObject() && !document.isBoolean()) {
            throw new BodySchemaException(source, "a schema must be an object or a boolean, was "
                    + document.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        try {
            SpecVersion.VersionFlag dialect = document.isObject()
                    ? SpecVersionDetector.detectOptionalVersion(document, true).orElse(DEFAULT_DIALECT)
                    : DEFAULT_DIALECT;
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(dialect, builder -> builder
                    .schemaLoaders(loaders -> loaders.add(new AllowSchemaLoader(reachable))));
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .locale(Locale.ENGLISH)
                    .formatAssertionsEnabled(true)
                    .build();
            checkAgainstMetaSchema(source, factory, dialect, document, config);
            JsonSchema schema = factory.getSchema(location, document, config);
            schema.initializeValidators();
            return new BodySchema(source, schema);
        } catch (BodySchemaException e) {
            throw e;
        } catch (JsonSchemaException e) {
            throw new BodySchemaException(source, reason(e), e);
        } catch (RuntimeException e) {
            // networknt reports unresolvable references and I/O trouble with assorted runtime exceptions.
            throw new BodySchemaException(source, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static void checkAgainstMetaSchema(String source, JsonSchemaFactory factory,
            SpecVersion.VersionFlag dialect, JsonNode document, SchemaValidatorsConfig config) {
        JsonSchema meta = factory.getSchema(SchemaLocation.of(dialect.getId()), config);
        Set<ValidationMessage> problems = meta.validate(document);
        if (!problems.isEmpty()) {
            Violation first = SchemaFindings.translate(problems.iterator().next());
            String where = first.where().equals("body") ? "" : " at " + first.where();
            throw new BodySchemaException(source, "not a valid " + dialect.getId() + " schema" + where + ": "
                    + first.what() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }

    private static boolean isBundled(AbsoluteIri iri) {
        return iri.toString().startsWith("classpath:");
    }

    private static boolean isFileUnder(AbsoluteIri iri, Path directory) {
        String text = iri.toString();
        if (directory == null || !text.startsWith("file:")) {
            return false;
        }
        try {
            return Path.of(URI.create(text)).normalize().startsWith(directory);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** networknt prefixes messages with their location, empty at the root (": Reference … cannot be resolved"). */
    private static String reason(JsonSchemaException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith(": ") ? message.substring(2) : message;
    }

    private static String urnSafe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}

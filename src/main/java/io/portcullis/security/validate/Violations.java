package io.portcullis.security.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders violations as the JSON list the gateway puts in a 400/405/413/415/422 body, for example
 * {@code [{"where":"/items/0/price","what":"string found, number expected","code":"type"}]}.
 *
 * <p>Messages quote parts of the request, so everything goes through Jackson's escaping, non-ASCII included: the
 * result is plain ASCII, safe to splice into the gateway's ASCII error body. The list is capped at
 * {@value #MAX_RENDERED} entries (a last entry says how many more there were): a client that sent a thousand bad
 * parameters does not get to make the gateway write a thousand-line answer.
 */
public final class Violations {

    /** Most entries rendered; the rest are summarised in one final entry. */
    public static final int MAX_RENDERED = 50;

    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private Violations() {}

    /** The violations as a JSON array (no trailing newline); a null code is left out. */
    public static String toJson(List<Violation> violations) {
        StringWriter out = new StringWriter(64 + 96 * Math.min(violations.size(), MAX_RENDERED));
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartArray();
            int shown = Math.min(violations.size(), MAX_RENDERED);
            for (int i = 0; i < shown; i++) {
                write(gen, violations.get(i));
            }
            if (violations.size() > shown) {
                write(gen, new Violation("request", (violations.size() - shown) + " more not shown", "truncated"));
            }
            gen.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator gen, Violation v) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("where", v.where());
        gen.writeStringField("what", v.what());
        if (v.code() != null) {
            gen.writeStringField("code", v.code());
        }
        gen.writeEndObject();
    }
}

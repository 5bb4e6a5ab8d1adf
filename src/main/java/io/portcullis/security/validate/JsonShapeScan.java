package io.portcullis.security.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/**
 * The cheap first pass of {@link JsonBodyCheck}: one walk over the tokens with Jackson's streaming parser, no tree.
 *
 * <p>It refuses what would make the tree or the schema expensive or ambiguous before either exists: nesting deeper
 * than the route allows (a 10k-deep {@code [[[[…} costs a few hundred tokens, not 10k nodes and a deep recursion in
 * the validator), malformed JSON, trailing content after the value, and duplicate keys in an object. Duplicate keys
 * are refused because parsers disagree on them (first wins, last wins, error): a body the gateway validated with one
 * value could reach the backend meaning another.
 */
final class JsonShapeScan {

    private final JsonFactory factory;
    private final int maxDepth;

    JsonShapeScan(int maxDepth) {
        this.maxDepth = maxDepth;
        // Jackson's own depth limit sits one above ours, so that ours (with its pointer and message) fires first.
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth + 1).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** The factory the tree is built with after a successful scan: same constraints, same strictness. */
    JsonFactory factory() {
        return factory;
    }

    /** {@link BodyVerdict#VALID} for exactly one well-formed JSON value within the depth limit. */
    BodyVerdict scan(byte[] body, int offset, int length) {
        try (JsonParser parser = factory.createParser(body, offset, length)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return BodyVerdict.of(BodyVerdict.Outcome.MALFORMED,
                        new Violation("body", "empty body, expected a JSON value", "empty"));
            }
            int depth = 0;
            while (true) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    if (++depth > maxDepth) {
                        return BodyVerdict.of(BodyVerdict.Outcome.TOO_DEEP, new Violation(
                                pointer(parser), "nested deeper than " + maxDepth + " levels", "too_deep"));
                    }
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
            }
            if (parser.nextToken() != null) {
                return malformed("unexpected content after the JSON value", parser.currentTokenLocation());
            }
            return BodyVerdict.VALID;
        } catch (StreamConstraintsException e) {
            return BodyVerdict.of(BodyVerdict.Outcome.MALFORMED,
                    new Violation("body", e.getOriginalMessage(), "limit"));
        } catch (JsonProcessingException e) {
            return malformed(e.getOriginalMessage(), e.getLocation());
        } catch (IOException e) {
            // Parsing a byte array does no I/O; anything else Jackson raises is a malformed document.
            return malformed(String.valueOf(e.getMessage()), null);
        }
    }

    private static String pointer(JsonParser parser) {
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        return pointer.isEmpty() ? "body" : pointer;
    }

    private static BodyVerdict malformed(String message, JsonLocation at) {
        String what = at == null || at.getLineNr() < 0
                ? message
                : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return BodyVerdict.of(BodyVerdict.Outcome.MALFORMED, new Violation("body", what, "malformed"));
    }
}

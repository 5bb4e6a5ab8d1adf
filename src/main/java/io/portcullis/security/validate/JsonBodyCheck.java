package io.portcullis.security.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Validates a buffered JSON request body for one route: size, then shape, then schema, cheapest first.
 *
 * <p>Runs in the gateway's validation filter once the body of a route that validates bodies has been buffered, and
 * before anything is sent upstream. The size is checked before a byte is parsed; the streaming {@link JsonShapeScan}
 * then refuses malformed JSON, duplicate keys and excessive nesting without building a tree; only a body that passes
 * both is parsed into a tree and given to the {@link BodySchema}. A body of more than {@value #FULL_REPORT_BYTES}
 * bytes that the schema rejects is reported with its first violation only, so a megabyte of wrong array items cannot
 * make the gateway spend a second listing them.
 *
 * <p>Immutable and thread-safe: one instance per route per config snapshot, shared by all event loops.
 */
public final class JsonBodyCheck {

    /** Deepest nesting a route may allow; the schema validator recurses once per level. */
    public static final int MAX_DEPTH_LIMIT = 512;

    /** Bodies up to this size get every schema violation reported; larger ones get the first. */
    public static final int FULL_REPORT_BYTES = 16 * 1024;

    private final BodySchema schema;
    private final int maxDepth;
    private final int maxBytes;
    private final JsonShapeScan scan;
    private final ObjectMapper mapper;

    /**
     * @param schema   the route's schema, or {@link BodySchema#none()} to check well-formedness and limits only
     * @param maxDepth deepest nesting of objects and arrays allowed, 1 to {@value #MAX_DEPTH_LIMIT}
     * @param maxBytes largest body allowed, in bytes, at least 1
     */
    public JsonBodyCheck(BodySchema schema, int maxDepth, int maxBytes) {
        this.schema = Objects.requireNonNull(schema, "schema (use BodySchema.none())");
        if (maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
            throw new IllegalArgumentException("max_depth must be between 1 and " + MAX_DEPTH_LIMIT
                    + ", was " + maxDepth);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("max_bytes must be > 0, was " + maxBytes);
        }
        this.maxDepth = maxDepth;
        this.maxBytes = maxBytes;
        this.scan = new JsonShapeScan(maxDepth);
        this.mapper = new JsonMapper(scan.factory());
    }

    /** Checks a whole body. */
    public BodyVerdict check(byte[] body) {
        return check(body, 0, body.length);
    }

    /**
     * Checks the readable bytes of a buffered body without consuming or releasing it: the caller still owns the
     * buffer and forwards it upstream when the verdict is valid. A direct buffer is copied once (at most
     * {@code maxBytes}), as Jackson parses arrays fastest.
     */
    public BodyVerdict check(ByteBuf body) {
        int length = body.readableBytes();
        if (length > maxBytes) {
            return tooLarge(length);
        }
        if (body.hasArray()) {
            return check(body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        return check(ByteBufUtil.getBytes(body, body.readerIndex(), length, false));
    }

    /** Checks {@code length} bytes of {@code body} from {@code offset}. */
    public BodyVerdict check(byte[] body, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, body.length);
        if (length > maxBytes) {
            return tooLarge(length);
        }
        BodyVerdict shape = scan.scan(body, offset, length);
        if (!shape.valid() || schema.isNone()) {
            return shape;
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body, offset, length);
        } catch (IOException e) {
            // The scan accepted the same bytes with the same factory; this is not expected to happen.
            return BodyVerdict.of(BodyVerdict.Outcome.MALFORMED,
                    new Violation("body", String.valueOf(e.getMessage()), "malformed"));
        }
        List<Violation> violations = schema.validate(tree, length <= FULL_REPORT_BYTES);
        return violations.isEmpty() ? BodyVerdict.VALID : new BodyVerdict(BodyVerdict.Outcome.INVALID, violations);
    }

    public BodySchema schema() {
        return schema;
    }

    public int maxDepth() {
        return maxDepth;
    }

    public int maxBytes() {
        return maxBytes;
    }

    private BodyVerdict tooLarge(int length) {
        return BodyVerdict.of(BodyVerdict.Outcome.TOO_LARGE, new Violation("body",
                "is " + length + " bytes, more than the " + maxBytes + " allowed", "too_large"));
    }
}

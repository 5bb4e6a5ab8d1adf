package io.portcullis.security.validate;

import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Translates networknt's validation messages into {@link Violation}s a client can act on: a JSON pointer into the
 * body (RFC 6901, {@code body} for the root), a short message and the failing keyword as the code.
 *
 * <p>For {@code required} and {@code additionalProperties} the pointer names the missing or unexpected property
 * rather than the object holding it, so the client sees {@code /customer/email: is required}.
 */
final class SchemaFindings {
    private SchemaFindings() {}

    static List<Violation> translate(Collection<ValidationMessage> messages) {
        List<Violation> violations = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            violations.add(translate(m));
        }
        return violations;
    }

    static Violation translate(ValidationMessage m) {
        String pointer = pointer(m.getInstanceLocation());
        String type = m.getType();
        return switch (type) {
            case "required" -> m.getProperty() == null
                    ? new Violation(root(pointer), m.getError(), type)
                    : new Violation(child(pointer, m.getProperty()), "is required", type);
            case "additionalProperties", "unevaluatedProperties" -> {
                String property = m.getProperty();
                String where = property == null || pointer.endsWith("/" + escape(property))
                        ? pointer : child(pointer, property);
                yield new Violation(root(where), "is not allowed here", type);
            }
            default -> new Violation(root(pointer), m.getError(), type);
        };
    }

    private static String pointer(JsonNodePath location) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            sb.append('/').append(escape(String.valueOf(location.getElement(i))));
        }
        return sb.toString();
    }

    private static String child(String pointer, String property) {
        return pointer + "/" + escape(property);
    }

    private static String root(String pointer) {
        return pointer.isEmpty() ? "body" : pointer;
    }

    /** RFC 6901: '~' becomes "~0" and '/' becomes "~1". */
    private static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }
}

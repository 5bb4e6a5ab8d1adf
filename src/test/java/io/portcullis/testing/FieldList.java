package io.portcullis.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Look-ups in an ordered list of header fields as seen on the wire (names compared case-insensitively). */
final class FieldList {
    private FieldList() {}

    /** Every value of {@code name}, in order. */
    static List<String> all(List<Map.Entry<String, String>> fields, String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : fields) {
            if (e.getKey().equalsIgnoreCase(name)) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** The first value of {@code name}, or null. */
    static String first(List<Map.Entry<String, String>> fields, String name) {
        List<String> all = all(fields, name);
        return all.isEmpty() ? null : all.get(0);
    }
}

package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON list of violations: escaped, code optional, capped. */
class ViolationsTest {

    @Test
    void rendersEscapedJson() throws Exception {
        String json = Violations.toJson(List.of(
                new Violation("/a", "string found, number expected", "type"),
                new Violation("query.\"x\"\n", "bad </script> \\ value")));
        assertThat(json).startsWith("[{\"where\":\"/a\",\"what\":\"string found, number expected\",\"code\":\"type\"}");
        JsonNode parsed = new ObjectMapper().readTree(json);
        assertThat(parsed.get(1).get("where").asText()).isEqualTo("query.\"x\"\n");
        assertThat(parsed.get(1).has("code")).isFalse();
        assertThat(Violations.toJson(List.of())).isEqualTo("[]");
        assertThat(Violations.toJson(List.of(new Violation("query.q", "é")))).isEqualTo(
                "[{\"where\":\"query.q\",\"what\":\"\\u00E9\"}]");
    }

    @Test
    void capsTheList() throws Exception {
        List<Violation> many = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            many.add(new Violation("query.p" + i, "is not a known parameter", "unknown"));
        }
        JsonNode parsed = new ObjectMapper().readTree(Violations.toJson(many));
        assertThat(parsed.size()).isEqualTo(Violations.MAX_RENDERED + 1);
        assertThat(parsed.get(Violations.MAX_RENDERED).get("what").asText()).isEqualTo("70 more not shown");
        assertThat(parsed.get(Violations.MAX_RENDERED).get("code").asText()).isEqualTo("truncated");
    }
}

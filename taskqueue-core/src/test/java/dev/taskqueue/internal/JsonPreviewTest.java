package dev.taskqueue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Previews of JSON values: short, and still JSON that says what it left out. */
class JsonPreviewTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aValueThatFitsIsKeptAsItIs() {
        JsonNode value = json.readTree("[\"img-42\",200,{\"crop\":true,\"tags\":[\"a\",null]}]");

        assertThat(JsonPreview.of(value, 100)).isSameAs(value);
    }

    @Test
    void aLongStringEndsWithAnEllipsis() {
        JsonNode preview = JsonPreview.of(json.readTree("[\"" + "x".repeat(5_000) + "\"]"), 100);

        assertThat(preview.get(0).stringValue()).hasSize(96).endsWith("x\u2026");
        assertThat(preview.toString().length()).isLessThanOrEqualTo(100);
    }

    @Test
    void arraysAndObjectsKeepTheirFirstItemsAndSayHowManyTheyLeftOut() {
        StringBuilder numbers = new StringBuilder("[0");
        for (int i = 1; i < 1_000; i++) {
            numbers.append(',').append(i);
        }
        JsonNode array = JsonPreview.of(json.readTree(numbers.append(']').toString()), 50);
        JsonNode object = JsonPreview.of(json.readTree("{\"a\":\"" + "y".repeat(80) + "\",\"b\":1,\"c\":2}"), 40);

        assertThat(array.get(array.size() - 1).stringValue()).isEqualTo("\u2026 " + (1_000 - array.size() + 1)
                + " more");
        assertThat(array.toString().length()).isLessThan(70);
        assertThat(object.get("a").stringValue()).endsWith("\u2026");
        assertThat(object.get("\u2026").stringValue()).isEqualTo("2 more");
        assertThat(json.readTree(object.toString())).isEqualTo(object); // still JSON
    }
}

package dev.taskqueue.internal;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON value shortened to about a number of characters of JSON, and still JSON: what a task's record keeps of its
 * arguments, and what the actuator shows of a large result. A string that does not fit ends with
 * {@value #ELLIPSIS}; an array keeps its first elements and ends with the string {@code "… 12 more"}; an object
 * keeps its first properties and ends with the property {@code "…": "12 more"}. A value that fits is returned as it
 * is.
 */
public final class JsonPreview {

    /** Ends what a preview shortened, and names what it left out. */
    public static final String ELLIPSIS = "\u2026";

    private JsonPreview() {
    }

    /**
     * The value, shortened to about {@code maxChars} characters of JSON when it is longer.
     *
     * @param maxChars the room, counted as JSON text (a few characters more may be used by the markers)
     */
    public static JsonNode of(JsonNode value, int maxChars) {
        Room room = new Room(maxChars);
        JsonNode preview = cut(value, room);
        return room.cut ? preview : value;
    }

    private static JsonNode cut(JsonNode node, Room room) {
        if (node.isString()) {
            String text = node.stringValue();
            int fits = room.left - 2; // the quotes
            if (text.length() <= fits) {
                room.left -= text.length() + 2;
                return node;
            }
            room.exhausted();
            return JsonNodeFactory.instance.stringNode(text.substring(0, Math.max(0, fits - 1)) + ELLIPSIS);
        }
        if (node.isArray()) {
            room.left -= 2;
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            int kept = 0;
            for (JsonNode element : node) {
                if (room.left <= 0) {
                    out.add(ELLIPSIS + " " + (node.size() - kept) + " more");
                    room.exhausted();
                    break;
                }
                out.add(cut(element, room));
                room.left--; // the comma
                kept++;
            }
            return out;
        }
        if (node.isObject()) {
            room.left -= 2;
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            int kept = 0;
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                if (room.left <= 0) {
                    out.put(ELLIPSIS, (node.size() - kept) + " more");
                    room.exhausted();
                    break;
                }
                room.left -= property.getKey().length() + 4; // quotes, colon and comma
                out.set(property.getKey(), cut(property.getValue(), room));
                kept++;
            }
            return out;
        }
        room.left -= node.toString().length(); // a number, a boolean or null: whole or not at all
        return node;
    }

    /** What is left of the room, and whether anything was left out. */
    private static final class Room {

        int left;

        boolean cut;

        Room(int left) {
            this.left = left;
        }

        void exhausted() {
            left = 0;
            cut = true;
        }
    }
}

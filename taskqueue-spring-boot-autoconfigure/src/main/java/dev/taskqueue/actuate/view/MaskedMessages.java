package dev.taskqueue.actuate.view;

import dev.taskqueue.DeadLetter;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Masks the arguments inside a task's message (a dead letter's, a waiting task's) where its task declares them
 * sensitive, with the read model's {@link ValueMask}: a message is a JSON object whose {@code args} array holds them
 * ({@link dev.taskqueue.internal.MessageCodec}). A message that cannot be read as one (a page keeps only the start of
 * each dead letter's message) is passed whole to the mask as its arguments: the default mask leaves it as it is when
 * the task declares nothing sensitive, and masks it whole otherwise, so a value marked sensitive never shows.
 */
final class MaskedMessages {

    private static final JsonMapper JSON = JsonMapper.shared();

    private MaskedMessages() {
    }

    /** The letter with its message masked; the same letter when nothing in it is masked. */
    static DeadLetter masked(ValueMask mask, DeadLetter letter) {
        String message = message(mask, letter.taskName(), letter.message());
        return message.equals(letter.message()) ? letter : new DeadLetter(letter.id(), letter.taskId(),
                letter.taskName(), letter.queue(), letter.reason(), letter.errorType(), letter.errorMessage(),
                letter.stackTrace(), letter.attempt(), letter.deliveries(), letter.failedAt(), letter.worker(), message,
                letter.messageSize());
    }

    /**
     * The message with its arguments masked.
     *
     * @param taskName the task's name when known apart from the message (else the message's {@code task})
     */
    static String message(ValueMask mask, @Nullable String taskName, String message) {
        JsonNode root = read(message);
        if (root instanceof ObjectNode object && object.get("args") instanceof ArrayNode args) {
            String name = taskName != null ? taskName : taskName(object);
            String original = args.toString();
            String masked = mask.arguments(name, original);
            if (original.equals(masked)) {
                return message;
            }
            JsonNode value = masked == null ? null : read(masked);
            object.set("args", value != null ? value : StringNode.valueOf(String.valueOf(masked)));
            return object.toString();
        }
        String whole = mask.arguments(taskName, message);
        return whole == null ? "" : whole;
    }

    /** The message's arguments (a JSON array) as they are in it, or null when it has none that can be read. */
    static @Nullable String arguments(String message) {
        return read(message) instanceof ObjectNode object && object.get("args") instanceof ArrayNode args
                ? args.toString() : null;
    }

    private static @Nullable String taskName(ObjectNode message) {
        JsonNode task = message.get("task");
        return task != null && task.isString() ? task.asString() : null;
    }

    private static @Nullable JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return null;
        }
    }
}

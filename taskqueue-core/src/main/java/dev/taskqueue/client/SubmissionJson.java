package dev.taskqueue.client;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.taskqueue.Unique;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.WorkflowStore;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link Submission} as JSON text, as the outbox keeps it between the transaction and the relay, possibly read by
 * another instance of another version: hence a format version, and plain fields only (no type information, which
 * would let stored text pick classes). A message's body, itself JSON text, is kept as a string (as base64 in the rare
 * case it is not UTF-8).
 */
public final class SubmissionJson {

    /** The format this class writes; it reads this one only, and says so for any other. */
    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private SubmissionJson() {
    }

    public static String write(Submission submission) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("v", VERSION);
        ArrayNode writes = root.putArray("writes");
        for (Submission.Write write : submission.writes()) {
            ObjectNode w = writes.addObject();
            if (write instanceof Submission.SaveGroup group) {
                w.put("group", group.groupId());
                ArrayNode members = w.putArray("members");
                group.members().forEach(m -> members.addArray().add(m.taskId()).add(m.queue()));
                w.put("ttl", group.ttlMillis());
            }
            else if (write instanceof Submission.OpenChord chord) {
                w.put("chord", chord.chordId());
                w.put("size", chord.size());
                w.put("body", chord.bodyJson());
                w.put("bodyTaskId", chord.bodyTaskId());
                w.put("bodyTaskName", chord.bodyTaskName());
                w.put("ttl", chord.ttlMillis());
            }
            else {
                ArrayNode messages = w.putArray("send");
                ((Submission.Send) write).messages().forEach(m -> write(messages.addObject(), m));
            }
        }
        return MAPPER.writeValueAsString(root);
    }

    private static void write(ObjectNode o, OutgoingMessage m) {
        o.put("id", m.id());
        o.put("task", m.taskName());
        o.put("queue", m.queue());
        o.put("priority", m.priority());
        String text = utf8(m.body());
        if (text != null) {
            o.put("body", text);
        }
        else {
            o.put("body64", Base64.getEncoder().encodeToString(m.body()));
        }
        o.put("delay", m.delayMillis());
        if (m.dueAtMillis() != null) {
            o.put("due", m.dueAtMillis());
        }
        o.put("dedupe", m.deduplicate());
        o.put("ttl", m.recordTtlMillis());
        if (m.unique() != null) {
            ObjectNode u = o.putObject("unique");
            u.put("key", m.unique().key());
            u.put("mode", m.unique().mode().name());
            u.put("window", m.unique().windowMillis());
        }
        if (m.parentId() != null) {
            o.put("parent", m.parentId());
        }
    }

    private static @Nullable String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (CharacterCodingException ex) {
            return null;
        }
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IllegalArgumentException when the text is not a submission of this format, saying what is wrong
     */
    public static Submission read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("Not a taskqueue submission (not JSON: " + ex.getOriginalMessage()
                    + ")", ex);
        }
        if (!root.isObject() || root.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("Not a taskqueue submission of format " + VERSION + " (found format "
                    + root.path("v") + "): it was written by another taskqueue version; send it from an instance "
                    + "of that version, or delete it");
        }
        List<Submission.Write> writes = new ArrayList<>();
        for (JsonNode w : required(root, "writes")) {
            if (w.has("group")) {
                List<WorkflowStore.Member> members = new ArrayList<>();
                for (JsonNode m : required(w, "members")) {
                    members.add(new WorkflowStore.Member(text(m.get(0), "member id"), text(m.get(1), "member queue")));
                }
                writes.add(new Submission.SaveGroup(text(w, "group"), members, number(w, "ttl")));
            }
            else if (w.has("chord")) {
                writes.add(new Submission.OpenChord(text(w, "chord"), (int) number(w, "size"), text(w, "body"),
                        text(w, "bodyTaskId"), text(w, "bodyTaskName"), number(w, "ttl")));
            }
            else if (w.has("send")) {
                List<OutgoingMessage> messages = new ArrayList<>();
                for (JsonNode m : required(w, "send")) {
                    messages.add(message(m));
                }
                writes.add(new Submission.Send(messages));
            }
            else {
                throw new IllegalArgumentException("A submission write is none of group, chord, send: " + w);
            }
        }
        return new Submission(writes);
    }

    private static OutgoingMessage message(JsonNode m) {
        byte[] body = m.has("body64") ? Base64.getDecoder().decode(text(m, "body64"))
                : text(m, "body").getBytes(StandardCharsets.UTF_8);
        JsonNode u = m.get("unique");
        OutgoingMessage.UniqueClaim unique = u == null || u.isNull() ? null : new OutgoingMessage.UniqueClaim(
                text(u, "key"), Unique.Mode.valueOf(text(u, "mode")), number(u, "window"));
        JsonNode due = m.get("due");
        JsonNode parent = m.get("parent");
        return new OutgoingMessage(text(m, "id"), text(m, "task"), text(m, "queue"), (int) number(m, "priority"),
                body, number(m, "delay"), due == null || due.isNull() ? null : due.asLong(),
                m.path("dedupe").asBoolean(false), number(m, "ttl"), unique,
                parent == null || parent.isNull() ? null : parent.asString());
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("A submission lacks its '" + field + "' list");
        }
        return value;
    }

    private static String text(@Nullable JsonNode node, String field) {
        JsonNode value = node == null ? null : node.isString() ? node : node.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("A submission lacks its '" + field + "' text");
        }
        return value.asString();
    }

    private static long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("A submission lacks its '" + field + "' number");
        }
        return value.asLong();
    }
}

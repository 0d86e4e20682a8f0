package dev.taskqueue.redis;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.broker.Broker.RunningTask;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a worker runs now, as its heartbeat stores it in the {@code running} field of {@code {p}:worker:<id>}: a JSON
 * array of {@code {"i": id, "n": name, "q": queue, "s": started epoch ms}}. Read back for operators; anything
 * unreadable there (another writer) reads as nothing.
 */
final class RunningJson {

    /** Trees only: no types are bound, so nothing stored can make Jackson build an object of its choice. */
    static final JsonMapper JSON = JsonMapper.builder().build();

    private RunningJson() {
    }

    static String write(List<RunningTask> running) {
        ArrayNode array = JSON.createArrayNode();
        for (RunningTask task : running) {
            ObjectNode o = array.addObject();
            o.put("i", task.taskId());
            if (task.taskName() != null) {
                o.put("n", task.taskName());
            }
            o.put("q", task.queue());
            o.put("s", task.startedAt());
        }
        return array.toString();
    }

    static List<RunningTask> read(@Nullable String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        JsonNode array;
        try {
            array = JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return List.of();
        }
        List<RunningTask> running = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode o : array) {
                JsonNode id = o.get("i");
                JsonNode queue = o.get("q");
                if (id != null && id.isString() && queue != null && queue.isString()) {
                    JsonNode name = o.get("n");
                    JsonNode started = o.get("s");
                    running.add(new RunningTask(id.asString(), name != null && name.isString() ? name.asString()
                            : null, queue.asString(), started != null && started.canConvertToLong() ? started.asLong()
                                    : 0));
                }
            }
        }
        return running;
    }
}

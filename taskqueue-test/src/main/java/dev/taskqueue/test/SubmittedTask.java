package dev.taskqueue.test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.taskqueue.broker.WaitingTask;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * A task that was submitted and has not finished, as Redis holds it: ready, claimed by a worker, or delayed. Its
 * arguments are read as a worker reads them, from JSON: {@link #args()} gives them as JSON values (strings, numbers,
 * booleans, lists, maps, null), {@link #arg(int, Class)} converts one to a type of yours.
 */
public final class SubmittedTask {

    private final String id;
    private final String task;
    private final String queue;
    private final WaitingTask.State state;
    private final int priority;
    private final @Nullable Instant dueAt;
    private final int attempt;
    private final Map<String, String> headers;
    private final ArrayNode args;
    private final ObjectMapper mapper;

    SubmittedTask(String id, String task, String queue, WaitingTask.State state, int priority,
            @Nullable Instant dueAt, int attempt, Map<String, String> headers, ArrayNode args, ObjectMapper mapper) {
        this.id = id;
        this.task = task;
        this.queue = queue;
        this.state = state;
        this.priority = priority;
        this.dueAt = dueAt;
        this.attempt = attempt;
        this.headers = Map.copyOf(headers);
        this.args = args;
        this.mapper = mapper;
    }

    /** The task id. */
    public String id() {
        return id;
    }

    /** The task name, such as {@code images.thumbnail}. */
    public String task() {
        return task;
    }

    /** The queue it waits in. */
    public String queue() {
        return queue;
    }

    /** Where it waits: READY, CLAIMED (a worker has it) or DELAYED (countdown, eta, retry backoff). */
    public WaitingTask.State state() {
        return state;
    }

    /** 0 (default) to 9 (most urgent). */
    public int priority() {
        return priority;
    }

    /** When a delayed task is due, else null. */
    public @Nullable Instant dueAt() {
        return dueAt;
    }

    /** How many times it ran before (0 until a retry). */
    public int attempt() {
        return attempt;
    }

    /** The headers it carries (an interceptor's tenant, trace context). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The arguments as JSON values: {@code List.of("img-42", 200)} for {@code make("img-42", 200)}. */
    public List<@Nullable Object> args() {
        List<@Nullable Object> values = new ArrayList<>();
        for (JsonNode arg : args) {
            values.add(mapper.treeToValue(arg, Object.class));
        }
        return Collections.unmodifiableList(values);
    }

    /** The argument at {@code index} (from 0), converted to {@code type} as a worker would. */
    public <T> @Nullable T arg(int index, Class<T> type) {
        if (index < 0 || index >= args.size()) {
            throw new IndexOutOfBoundsException("Task " + task + " [" + id + "] has " + args.size()
                    + " argument(s); there is none at index " + index);
        }
        return mapper.treeToValue(args.get(index), type);
    }

    /** {@code images.thumbnail ["img-42",200] on images, ready [<id>]}. */
    @Override
    public String toString() {
        return task + " " + args + " on " + queue + ", " + state.name().toLowerCase(Locale.ROOT)
                + (dueAt != null ? " until " + dueAt : "") + " [" + id + "]";
    }
}

package dev.taskqueue.celery;

import java.time.Instant;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.UnreadableRecordException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A task's meta in Celery's result backend, both ways: what a Java worker writes (as Celery 5.2 to 5.6 read it, with
 * {@code result_extended}'s fields), and how a Java handle reads what Python wrote.
 *
 * <pre>
 * {"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom", 42], "exc_module": "builtins"},
 *  "traceback": "Traceback ...", "children": [], "date_done": "2026-11-23T21:59:27.479522+00:00",
 *  "name": "proj.fail", "args": [], "kwargs": {}, "worker": "w1@lab", "retries": 0, "queue": "celery",
 *  "task_id": "..."}
 * </pre>
 */
final class CeleryMeta {

    private CeleryMeta() {
    }

    /** The meta of a state of this message's task, with the extended fields; {@code result} still to be set. */
    static ObjectNode of(CeleryMessage message, String status, @Nullable String worker, Instant now) {
        ObjectNode meta = CeleryJson.MAPPER.createObjectNode();
        meta.put("status", status);
        meta.putNull("result");
        meta.putNull("traceback");
        meta.putArray("children");
        boolean ready = !CeleryProtocol.STARTED.equals(status) && !CeleryProtocol.RETRY.equals(status);
        meta.put("date_done", ready ? CeleryJson.iso(now) : null);
        if (message.groupId() != null) {
            meta.put("group_id", message.groupId());
        }
        if (message.parentId() != null) {
            meta.put("parent_id", message.parentId());
        }
        meta.put("name", message.task());
        meta.set("args", message.args());
        meta.set("kwargs", message.kwargs());
        meta.put("worker", worker);
        meta.put("retries", message.retries());
        meta.put("queue", message.queue());
        meta.put("task_id", message.id());
        return meta;
    }

    /** The FAILURE of a task known by its id alone (no message to describe it), as Celery stores one. */
    static ObjectNode failure(String taskId, @Nullable String name, ObjectNode exception, Instant now) {
        ObjectNode meta = CeleryJson.MAPPER.createObjectNode();
        meta.put("status", CeleryProtocol.FAILURE);
        meta.set("result", exception);
        meta.putNull("traceback");
        meta.putArray("children");
        meta.put("date_done", CeleryJson.iso(now));
        if (name != null) {
            meta.put("name", name);
        }
        meta.put("task_id", taskId);
        return meta;
    }

    /** Celery's exception object for a Java error: its simple name, its message, its package. */
    static ObjectNode exception(TaskError error) {
        ObjectNode exc = CeleryJson.MAPPER.createObjectNode();
        String type = error.type();
        int dot = type.lastIndexOf('.');
        exc.put("exc_type", dot < 0 ? type : type.substring(dot + 1));
        ArrayNode message = exc.putArray("exc_message");
        if (error.message() != null) {
            message.add(error.message());
        }
        exc.put("exc_module", dot < 0 ? "builtins" : type.substring(0, dot));
        return exc;
    }

    /** Celery's exception object built by name, as Celery writes its own ({@code TaskRevokedError} and others). */
    static ObjectNode exception(String type, String module, String message) {
        ObjectNode exc = CeleryJson.MAPPER.createObjectNode();
        exc.put("exc_type", type);
        exc.putArray("exc_message").add(message);
        exc.put("exc_module", module);
        return exc;
    }

    /** The state a meta says; an absent meta is PENDING. */
    static TaskState state(String taskId, @Nullable JsonNode meta) {
        if (meta == null) {
            return TaskState.PENDING;
        }
        String status = meta.path("status").asString("");
        return switch (status) {
            case "PENDING", "RECEIVED" -> TaskState.PENDING;
            case "STARTED" -> TaskState.STARTED;
            case "RETRY" -> TaskState.RETRY;
            case "SUCCESS" -> TaskState.SUCCESS;
            case "FAILURE", "REJECTED" -> TaskState.FAILURE;
            case "REVOKED", "IGNORED" -> TaskState.REVOKED;
            default -> throw UnreadableRecordException.ofTask(meta.path("name").asString(null), taskId, null,
                    "its Celery result has the status " + UnreadableRecordException.quote(status)
                            + ", which Celery does not write");
        };
    }

    /**
     * The error of a FAILURE or RETRY meta: the Python type ({@code ValueError}; {@code module.Type} outside
     * builtins), its message (the exception's only argument, or the tuple of them as Python shows it), the traceback.
     */
    static @Nullable TaskError error(JsonNode meta) {
        JsonNode exc = meta.path("result");
        if (!exc.isObject() || !exc.has("exc_type")) {
            return null;
        }
        String type = exc.path("exc_type").asString();
        String module = exc.path("exc_module").asString("builtins");
        String qualified = module.isEmpty() || "builtins".equals(module) ? type : module + "." + type;
        JsonNode args = exc.path("exc_message");
        String message;
        if (args.isArray() && args.size() == 1) {
            message = args.get(0).isString() ? args.get(0).asString() : args.get(0).toString();
        }
        else if (args.isArray()) {
            message = args.size() == 0 ? null : "(" + String.join(", ", args.valueStream().map(JsonNode::toString)
                    .toList()) + ")";
        }
        else {
            message = args.isMissingNode() || args.isNull() ? null : args.asString(args.toString());
        }
        return new TaskError(qualified, message, CeleryMessage.text(meta.get("traceback")), false);
    }

    /** Everything a meta says, as a {@link TaskInfo}. */
    static TaskInfo info(String taskId, @Nullable String queue, @Nullable JsonNode meta) {
        TaskState state = state(taskId, meta);
        if (meta == null) {
            return TaskInfo.pending(taskId, queue);
        }
        Instant done = null;
        try {
            done = CeleryJson.instant(meta.get("date_done"), "date_done");
        }
        catch (IllegalArgumentException ex) {
            // a field taskqueue would not write reads as absent
        }
        JsonNode result = meta.get("result");
        return new TaskInfo(taskId, CeleryMessage.text(meta.get("name")),
                meta.hasNonNull("queue") ? meta.get("queue").asString() : queue, state,
                CeleryMessage.text(meta.get("worker")), null, null, state.isFinished() ? done : null,
                meta.path("retries").asInt(0) + 1,
                state == TaskState.SUCCESS && result != null ? result.toString() : null,
                state == TaskState.FAILURE || state == TaskState.RETRY || state == TaskState.REVOKED ? error(meta)
                        : null,
                null, null, null, meta.has("args") ? meta.get("args").toString() : null,
                CeleryMessage.text(meta.get("parent_id")));
    }
}

package dev.taskqueue.broker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.UnreadableRecordException;
import org.jspecify.annotations.Nullable;

/**
 * A task's record as stored by a broker (a Redis hash): its field names, and how they read
 * as a {@link TaskInfo}. Times are epoch milliseconds. Its queue is not a field: a record lives in its task's queue
 * (its key says which), so a field would only repeat it, at a cost to every outcome stored.
 * <pre>
 * state, task, worker, submitted, started, finished, attempt, next, result,
 * error.type, error.message, error.stack, progress, progress.message, args, parent, notify, dead (the id of its
 * dead letter, while it has one), ctx (its message's headers, workflow root and children, for operators:
 * {@code dev.taskqueue.internal.ContextJson}; not part of {@link TaskInfo})
 * </pre>
 */
public final class TaskRecords {

    /** The type of an error whose record does not tell it. */
    public static final String UNKNOWN_ERROR_TYPE = "unknown";

    private TaskRecords() {
    }

    /**
     * The record as a {@link TaskInfo}, or null when it holds no state (only a waiter's registration).
     *
     * <p>Anyone can write into a record. Its state is the answer to every question about the task, so a state
     * taskqueue does not write fails the read ({@link UnreadableRecordException}) rather than be guessed; any other
     * field that taskqueue would not write (a time or an attempt that is not a number, an error without a type)
     * reads as absent, and costs only itself.
     *
     * @param queue the queue it was read in, whose key holds it (a {@code queue} field of an older record is not read)
     * @param delayed whether the task waits in the delayed set (a SCHEDULED task whose countdown ended is PENDING)
     * @throws UnreadableRecordException when the record holds a state taskqueue does not write
     */
    public static @Nullable TaskInfo toInfo(String id, String queue, Map<String, String> f, boolean delayed) {
        String stateName = f.get("state");
        if (stateName == null) {
            return delayed ? TaskInfo.of(id, queue, TaskState.SCHEDULED) : null;
        }
        TaskState state = state(stateName);
        if (state == null) {
            throw UnreadableRecordException.ofTask(emptyToNull(f.get("task")), id, queue,
                    "its state " + UnreadableRecordException.quote(stateName) + " is not one taskqueue writes ("
                            + List.of(TaskState.values()) + ")");
        }
        if (state == TaskState.SCHEDULED && !delayed) {
            state = TaskState.PENDING; // its countdown ended: it waits in a stream now
        }
        return new TaskInfo(id, emptyToNull(f.get("task")), queue, state,
                emptyToNull(f.get("worker")), instant(f.get("submitted")), instant(f.get("started")),
                instant(f.get("finished")), integer(f.get("attempt")),
                state == TaskState.SUCCESS ? f.get("result") : null, error(f),
                state == TaskState.RETRY ? instant(f.get("next")) : null,
                fraction(f.get("progress")), emptyToNull(f.get("progress.message")),
                emptyToNull(f.get("args")), emptyToNull(f.get("parent")));
    }

    private static @Nullable TaskState state(String name) {
        for (TaskState state : TaskState.values()) {
            if (state.name().equals(name)) {
                return state;
            }
        }
        return null;
    }

    /** The error, when the record has one; one without a type (taskqueue always writes it) is of an unknown type. */
    private static @Nullable TaskError error(Map<String, String> f) {
        String type = emptyToNull(f.get("error.type"));
        String message = emptyToNull(f.get("error.message"));
        String stack = emptyToNull(f.get("error.stack"));
        return type == null && message == null && stack == null ? null
                : new TaskError(type != null ? type : UNKNOWN_ERROR_TYPE, message, stack, false);
    }

    private static int integer(@Nullable String value) {
        long number = number(value);
        return number > Integer.MAX_VALUE ? 0 : (int) Math.max(number, 0);
    }

    private static @Nullable Double fraction(@Nullable String value) {
        try {
            Double fraction = value == null || value.isEmpty() ? null : Double.valueOf(value);
            return fraction != null && Double.isFinite(fraction) ? fraction : null;
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /** Digits only, as taskqueue writes them (at most 18, so that they fit a long); -1 otherwise. */
    private static long number(@Nullable String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0'
                && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }

    private static @Nullable String emptyToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static @Nullable Instant instant(@Nullable String millis) {
        long number = number(millis);
        return number < 0 ? null : Instant.ofEpochMilli(number);
    }
}

package dev.taskqueue.broker;

import java.time.Instant;
import java.util.Map;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * A task's record as stored by a broker (a Redis hash, or a map in memory): its field names, and how they read
 * as a {@link TaskInfo}. Times are epoch milliseconds.
 * <pre>
 * state, task, queue, worker, submitted, started, finished, attempt, next, result,
 * error.type, error.message, error.stack, progress, progress.message, args, parent, notify
 * </pre>
 */
public final class TaskRecords {

    private TaskRecords() {
    }

    /**
     * The record as a {@link TaskInfo}, or null when it holds no state (only a waiter's registration).
     *
     * @param delayed whether the task waits in the delayed set (a SCHEDULED task whose countdown ended is PENDING)
     */
    public static @Nullable TaskInfo toInfo(String id, @Nullable String queue, Map<String, String> f,
            boolean delayed) {
        TaskState state = state(f.get("state"));
        if (state == null) { // none yet, or not one taskqueue writes
            return delayed ? TaskInfo.of(id, queue, TaskState.SCHEDULED) : null;
        }
        if (state == TaskState.SCHEDULED && !delayed) {
            state = TaskState.PENDING; // its countdown ended: it waits in a stream now
        }
        TaskError error = null;
        if (f.containsKey("error.type")) {
            error = new TaskError(f.get("error.type"), emptyToNull(f.get("error.message")),
                    emptyToNull(f.get("error.stack")), false);
        }
        String progress = emptyToNull(f.get("progress"));
        return new TaskInfo(id, emptyToNull(f.get("task")), f.getOrDefault("queue", queue), state,
                emptyToNull(f.get("worker")), instant(f.get("submitted")), instant(f.get("started")),
                instant(f.get("finished")), integer(f.get("attempt")),
                state == TaskState.SUCCESS ? f.get("result") : null, error,
                state == TaskState.RETRY ? instant(f.get("next")) : null,
                fraction(progress), emptyToNull(f.get("progress.message")),
                emptyToNull(f.get("args")), emptyToNull(f.get("parent")));
    }

    // Anyone can write into a record: a value taskqueue would not write reads as absent, and costs only itself.

    private static @Nullable TaskState state(@Nullable String name) {
        for (TaskState state : TaskState.values()) {
            if (state.name().equals(name)) {
                return state;
            }
        }
        return null;
    }

    private static int integer(@Nullable String value) {
        long number = number(value);
        return number < 0 || number > Integer.MAX_VALUE ? 0 : (int) number;
    }

    private static @Nullable Double fraction(@Nullable String value) {
        try {
            return value == null ? null : Double.valueOf(value);
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /** Digits only, as taskqueue writes them; -1 otherwise. */
    private static long number(@Nullable String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
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

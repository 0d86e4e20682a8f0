package dev.taskqueue.internal;

import dev.taskqueue.TaskContext;
import org.jspecify.annotations.Nullable;

/** Holds the {@link TaskContext} of the task running on each thread. */
public final class CurrentTask {

    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    private CurrentTask() {
    }

    public static @Nullable TaskContext get() {
        return CURRENT.get();
    }

    public static void set(@Nullable TaskContext context) {
        if (context == null) {
            CURRENT.remove();
        }
        else {
            CURRENT.set(context);
        }
    }
}

package dev.taskqueue.internal;

import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskInterceptor.Invocation;
import dev.taskqueue.TaskOptions;
import org.jspecify.annotations.Nullable;

/** Runs a list of {@link TaskInterceptor}s in order: the first is the outermost. */
public final class Interceptors {

    private Interceptors() {
    }

    /** The options after every interceptor's {@code beforeSubmit}. */
    public static TaskOptions beforeSubmit(List<TaskInterceptor> interceptors, TaskCall<?> call, TaskOptions options) {
        TaskOptions current = options;
        for (TaskInterceptor interceptor : interceptors) {
            current = interceptor.beforeSubmit(call, current);
        }
        return current;
    }

    /** Runs {@code submission} inside every interceptor's {@code aroundSubmit}. */
    public static @Nullable Object aroundSubmit(List<TaskInterceptor> interceptors,
            List<? extends TaskCall<?>> calls, Invocation submission) throws Throwable {
        return submitChain(interceptors, 0, calls, submission);
    }

    private static @Nullable Object submitChain(List<TaskInterceptor> interceptors, int index,
            List<? extends TaskCall<?>> calls, Invocation submission) throws Throwable {
        if (index == interceptors.size()) {
            return submission.proceed();
        }
        return interceptors.get(index).aroundSubmit(calls,
                () -> submitChain(interceptors, index + 1, calls, submission));
    }

    /** {@code continuation} decorated by every interceptor's {@code decorateContinuation}: the first outermost. */
    public static Runnable decorateContinuation(List<TaskInterceptor> interceptors, TaskContext context,
            Runnable continuation) {
        Runnable decorated = continuation;
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            decorated = interceptors.get(i).decorateContinuation(context, decorated);
        }
        return decorated;
    }

    /** Runs {@code task} inside every interceptor's {@code aroundExecution}. */
    public static @Nullable Object around(List<TaskInterceptor> interceptors, TaskContext context, Invocation task)
            throws Throwable {
        return chain(interceptors, 0, context, task);
    }

    private static @Nullable Object chain(List<TaskInterceptor> interceptors, int index, TaskContext context,
            Invocation task) throws Throwable {
        if (index == interceptors.size()) {
            return task.proceed();
        }
        return interceptors.get(index).aroundExecution(context, () -> chain(interceptors, index + 1, context, task));
    }
}

package dev.taskqueue;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Runs around task submissions and executions, in order (Spring beans are picked up and ordered by
 * {@code @Order}): propagate a tenant or security context in the headers, set up logging context, time things.
 *
 * <pre>{@code
 * @Component
 * class TenantPropagation implements TaskInterceptor {
 *     public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
 *         return options.header("tenant", Tenant.current());
 *     }
 *     public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
 *         Tenant.set(task.headers().get("tenant"));
 *         try { return invocation.proceed(); } finally { Tenant.clear(); }
 *     }
 * }
 * }</pre>
 */
public interface TaskInterceptor {

    /** Before a call is submitted: returns the options to submit it with (such as {@code options.header(...)}). */
    default TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
        return options;
    }

    /**
     * Around one submission: a single call, or a bulk {@link TaskClient#submitAll} sent in one round trip. Runs
     * before the calls' {@link #beforeSubmit} and around storing them, so it can open a scope (a tracing span,
     * say) that {@code beforeSubmit} then writes into the headers. {@code invocation.proceed()} returns the
     * submission's handles.
     */
    default @Nullable Object aroundSubmit(List<? extends TaskCall<?>> calls, Invocation invocation) throws Throwable {
        return invocation.proceed();
    }

    /** Around the run of a task on a worker: call {@code invocation.proceed()} to run it (or what is next). */
    default @Nullable Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
        return invocation.proceed();
    }

    /**
     * On a run's thread, as the run ends: what follows it in its workflow may start later, on another thread (a
     * chord's body, once Redis recorded its last member's report: the run's thread runs the next task meanwhile).
     * Returns what runs there instead of {@code continuation}, carrying what this interceptor keeps per thread for the
     * run (a trace, a tenant); there, the run's task is {@link TaskContext#find()}. Called for every chord member,
     * though what it returns runs only for the one whose report completed the chord (or failed): take nothing here
     * that must be given back. What it returns must run {@code continuation} on its own thread before it returns (the
     * run ends afterwards; one that fails first is left out, said in an error). By default, {@code continuation}.
     */
    default Runnable decorateContinuation(TaskContext task, Runnable continuation) {
        return continuation;
    }

    /** What an interceptor wraps. */
    @FunctionalInterface
    interface Invocation {

        @Nullable
        Object proceed() throws Throwable;
    }
}

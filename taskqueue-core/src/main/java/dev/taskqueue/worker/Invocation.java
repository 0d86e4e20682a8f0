package dev.taskqueue.worker;

import java.time.Duration;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.Interceptors;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskInvoker;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Calls an admitted task's bean method:
 * <ol>
 * <li>its {@link RunContext} becomes the run's {@link dev.taskqueue.TaskContext}; the "started" notice and event
 * go out;</li>
 * <li>its time limits are armed ({@link TimeLimits});</li>
 * <li>the method runs through the interceptors, with the task's id and name in the logging MDC;</li>
 * <li>what it returned or threw, and how long it took, is handed back as it is: {@link Endings} judges it.</li>
 * </ol>
 * A fatal error ({@link FatalErrors#isFatal}) is the worker's, not the task's: it leaves the thread.
 */
final class Invocation {

    /**
     * What the handler did: returned {@code result}, or threw {@code thrown}, after running for {@code took}.
     */
    record Handled(@Nullable Object result, @Nullable Throwable thrown, Duration took) {

        static Handled returned(@Nullable Object result, Duration took) {
            return new Handled(result, null, took);
        }

        static Handled threw(Throwable thrown, Duration took) {
            return new Handled(null, thrown, took);
        }
    }

    private final RunEnvironment env;
    private final TaskRuntime runtime;
    private final TaskInvoker invoker;
    private final TimeLimits timeLimits;

    Invocation(RunEnvironment env, TaskRuntime runtime, TimeLimits timeLimits) {
        this.env = env;
        this.runtime = runtime;
        this.invoker = new TaskInvoker(runtime.codec());
        this.timeLimits = timeLimits;
    }

    Handled invoke(Run run) {
        Delivery delivery = run.delivery;
        TaskMessage message = run.message();
        TaskDefinition task = run.task();
        RunContext context = new RunContext(run, env, timeLimits.timers());
        run.context = context;
        env.store().started(run, new Broker.Started(delivery.queue(), delivery.taskId(), task.name(), run.attempt(),
                env.resultTtlMillis(), message.createdAt()));
        long queuedSince = message.eta() != null ? Math.max(message.eta(), message.createdAt()) : message.createdAt();
        env.listener().started(delivery.taskId(), task.name(), delivery.queue(),
                Duration.ofMillis(Math.max(0, env.clock().millis() - queuedSince)));
        timeLimits.arm(run, context);
        long start = System.nanoTime();
        CurrentTask.set(context);
        MDC.put("taskId", delivery.taskId());
        MDC.put("taskName", task.name());
        Object result;
        try {
            result = Interceptors.around(runtime.interceptors(), context, () -> invoker.invoke(task, run.args));
        }
        catch (Throwable thrown) {
            if (FatalErrors.isFatal(thrown)) {
                throw (Error) thrown; // not the task's failure: the worker's (a StackOverflowError is the task's)
            }
            return Handled.threw(thrown, Duration.ofNanos(System.nanoTime() - start));
        }
        finally {
            MDC.remove("taskId");
            MDC.remove("taskName");
        }
        return Handled.returned(result, Duration.ofNanos(System.nanoTime() - start));
    }
}

package dev.taskqueue.observation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.actuate.metrics.TaskQueueMeters;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;

/**
 * Observes task submissions and runs with Micrometer Observation, and carries the trace context in the task
 * headers:
 * <ol>
 * <li>{@link #aroundSubmit} opens a {@link TaskQueueObservation#SUBMIT} observation around the submission; its
 * tracing handler writes the new span's propagation fields into the context's carrier;</li>
 * <li>{@link #beforeSubmit}, which runs inside that scope for each call, copies those fields into the call's
 * headers (a header the caller set is left alone);</li>
 * <li>{@link #aroundExecution} opens a {@link TaskQueueObservation#EXECUTE} observation whose context reads the
 * task's headers, so that the run's span is a child of the submission's, in whichever instance it runs;</li>
 * <li>the observation stops when the engine tells how the run ended ({@link #finished}: it is also a
 * {@link TaskEventListener}), so that its timer carries the outcome: only the engine knows whether a failure is
 * retried;</li>
 * <li>a worker starts the next steps of a workflow (a chain's next task, a chord's callback) after the run's scope
 * closed, still on the run's thread: such a submission gets the run's observation as its parent, so that a whole
 * workflow stays one trace.</li>
 * </ol>
 * It runs first among the interceptors ({@link #DEFAULT_ORDER}), so that the others run inside its scope. Register
 * it as a task event listener too (Boot does: the bean is both), or its runs' observations never stop.
 */
public class TaskQueueObservationInterceptor implements TaskInterceptor, TaskEventListener, Ordered {

    /** Before every other interceptor, unless one asks for an order below this. */
    public static final int DEFAULT_ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    private static final String MULTIPLE = "multiple";

    private static final String OTHER = TaskQueueMeters.OTHER_TASK; // the meters' tag for tasks declared elsewhere

    private final ObservationRegistry observations;
    private final TaskRegistry tasks;
    private final @Nullable TaskSubmitObservationConvention submitConvention;
    private final @Nullable TaskExecutionObservationConvention executionConvention;
    private final ThreadLocal<@Nullable TaskSubmitContext> submitting = new ThreadLocal<>();

    /** The last run on this thread, for the workflow steps it starts once its scope closed. */
    private final ThreadLocal<@Nullable LastRun> lastRun = new ThreadLocal<>();

    /** Runs whose observation waits for their outcome, by their task context (one per run). */
    private final Map<TaskContext, Run> running = new ConcurrentHashMap<>();

    /**
     * @param observations where observations go
     * @param tasks this application's tasks (a task it does not declare is tagged {@code other})
     * @param submitConvention replaces {@link DefaultTaskSubmitObservationConvention}, if not null
     * @param executionConvention replaces {@link DefaultTaskExecutionObservationConvention}, if not null
     */
    public TaskQueueObservationInterceptor(ObservationRegistry observations, TaskRegistry tasks,
            @Nullable TaskSubmitObservationConvention submitConvention,
            @Nullable TaskExecutionObservationConvention executionConvention) {
        this.observations = observations;
        this.tasks = tasks;
        this.submitConvention = submitConvention;
        this.executionConvention = executionConvention;
    }

    @Override
    public @Nullable Object aroundSubmit(List<? extends TaskCall<?>> calls, Invocation invocation) throws Throwable {
        TaskSubmitContext context = new TaskSubmitContext(calls, taskTag(calls), queueTag(calls));
        Observation observation = TaskQueueObservation.SUBMIT.observation(submitConvention,
                DefaultTaskSubmitObservationConvention.INSTANCE, () -> context, observations);
        Observation run = runThatEnded();
        if (run != null && observations.getCurrentObservation() == null) {
            observation.parentObservation(run);
        }
        TaskSubmitContext outer = submitting.get();
        submitting.set(context);
        try {
            return observation.observeChecked(invocation::proceed);
        }
        finally {
            submitting.set(outer);
        }
    }

    @Override
    public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
        TaskSubmitContext context = submitting.get();
        if (context == null) {
            return options;
        }
        TaskOptions withTrace = options;
        for (Map.Entry<String, String> field : context.getCarrier().entrySet()) {
            if (!options.getHeaders().containsKey(field.getKey())) {
                withTrace = withTrace.header(field.getKey(), field.getValue());
            }
        }
        return withTrace;
    }

    /** Starts the run's observation; {@link #finished} stops it, with the outcome the engine decided. */
    @Override
    public @Nullable Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
        TaskExecutionContext context = new TaskExecutionContext(task);
        Observation observation = TaskQueueObservation.EXECUTE.observation(executionConvention,
                DefaultTaskExecutionObservationConvention.INSTANCE, () -> context, observations).start();
        lastRun.set(new LastRun(task.taskId(), observation));
        running.put(task, new Run(context, observation));
        try (Observation.Scope scope = observation.openScope()) {
            return invocation.proceed();
        }
        catch (Throwable ex) {
            observation.error(ex);
            throw ex;
        }
    }

    /**
     * What follows a run in its workflow that starts on another thread (a chord's body, once its last member's report
     * was recorded) is submitted as a child of that run, as it is on the run's own thread.
     */
    @Override
    public Runnable decorateContinuation(TaskContext task, Runnable continuation) {
        Observation run = runThatEnded();
        if (run == null) {
            return continuation;
        }
        LastRun ended = new LastRun(task.taskId(), run);
        return () -> {
            LastRun outer = lastRun.get();
            lastRun.set(ended);
            try {
                continuation.run();
            }
            finally {
                lastRun.set(outer);
            }
        };
    }

    /**
     * The engine decided how a run ended: its observation stops with that outcome. This is the run's thread, where
     * its task context is current; a run given up at its hard time limit ends on another thread, and is found by
     * its task id. Tasks that ended without running (revoked or expired before they started, unknown, unreadable)
     * have no observation.
     */
    @Override
    public void finished(Execution execution) {
        TaskContext current = TaskContext.find().orElse(null);
        Run run = current != null && current.taskId().equals(execution.taskId()) ? running.remove(current) : null;
        if (run == null) {
            run = running.entrySet().stream().filter(entry -> entry.getKey().taskId().equals(execution.taskId()))
                    .findFirst().map(entry -> running.remove(entry.getKey())).orElse(null);
        }
        if (run != null) {
            run.context().setOutcome(execution.outcome().name().toLowerCase(Locale.ROOT));
            run.observation().stop();
        }
    }

    /** The observation of the run whose task this thread still finishes (its scope closed), if any. */
    private @Nullable Observation runThatEnded() {
        LastRun run = lastRun.get();
        if (run == null) {
            return null;
        }
        TaskContext current = TaskContext.find().orElse(null);
        return current != null && current.taskId().equals(run.taskId()) ? run.observation() : null;
    }

    @Override
    public int getOrder() {
        return DEFAULT_ORDER;
    }

    /** The calls' task name if they share one (declared here, else {@code other}); else {@code multiple}. */
    private String taskTag(List<? extends TaskCall<?>> calls) {
        String name = calls.get(0).taskName();
        if (calls.stream().anyMatch(call -> !call.taskName().equals(name))) {
            return MULTIPLE;
        }
        return tasks.find(name) != null ? name : OTHER;
    }

    /**
     * The calls' queue if they share one; else {@code multiple}. A call's queue is its options' queue, else the
     * one its task declares here, else the default queue (a client's own default options are not seen here).
     */
    private String queueTag(List<? extends TaskCall<?>> calls) {
        String queue = queueOf(calls.get(0));
        return calls.stream().skip(1).allMatch(call -> queueOf(call).equals(queue)) ? queue : MULTIPLE;
    }

    private String queueOf(TaskCall<?> call) {
        if (call.options().getQueue() != null) {
            return call.options().getQueue();
        }
        TaskDefinition declared = tasks.find(call.taskName());
        return declared != null ? declared.queue() : tasks.defaultQueue();
    }

    private record LastRun(String taskId, Observation observation) {
    }

    private record Run(TaskExecutionContext context, Observation observation) {
    }
}

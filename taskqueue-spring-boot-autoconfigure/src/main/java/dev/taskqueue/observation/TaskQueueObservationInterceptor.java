package dev.taskqueue.observation;

import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.actuate.metrics.TaskQueueMeters;
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
 * <li>a worker starts the next steps of a workflow (a chain's next task, a chord's callback) after the run's scope
 * closed, still on the run's thread: such a submission gets the run's observation as its parent, so that a whole
 * workflow stays one trace.</li>
 * </ol>
 * It runs first among the interceptors ({@link #DEFAULT_ORDER}), so that the others run inside its scope.
 */
public class TaskQueueObservationInterceptor implements TaskInterceptor, Ordered {

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

    @Override
    public @Nullable Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
        TaskExecutionContext context = new TaskExecutionContext(task);
        Observation observation = TaskQueueObservation.EXECUTE.observation(executionConvention,
                DefaultTaskExecutionObservationConvention.INSTANCE, () -> context, observations);
        lastRun.set(new LastRun(task.taskId(), observation));
        return observation.observeChecked(invocation::proceed);
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
}

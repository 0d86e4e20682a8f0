package dev.taskqueue.observation;

import dev.taskqueue.actuate.metrics.TaskQueueMeters;
import dev.taskqueue.observation.TaskQueueObservation.ExecutionHighCardinalityKeys;
import dev.taskqueue.observation.TaskQueueObservation.ExecutionLowCardinalityKeys;
import dev.taskqueue.observation.TaskQueueObservation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/** The default names and tags of a run: {@code taskqueue.execute}, span "execute &lt;task&gt;". */
public class DefaultTaskExecutionObservationConvention implements TaskExecutionObservationConvention {

    /** A shared instance. */
    public static final DefaultTaskExecutionObservationConvention INSTANCE =
            new DefaultTaskExecutionObservationConvention();

    @Override
    public String getName() {
        return TaskQueueMeters.EXECUTION;
    }

    @Override
    public String getContextualName(TaskExecutionContext context) {
        return "execute " + context.getTask().taskName();
    }

    /**
     * A worker runs only tasks its application declares, so the task name is bounded here. The outcome is known
     * when the run ended: the timer has it, the long task timer of runs in progress does not.
     */
    @Override
    public KeyValues getLowCardinalityKeyValues(TaskExecutionContext context) {
        KeyValues keys = KeyValues.of(LowCardinalityKeys.TASK.withValue(context.getTask().taskName()),
                LowCardinalityKeys.QUEUE.withValue(context.getTask().queue()));
        String outcome = context.getOutcome();
        return outcome == null ? keys : keys.and(ExecutionLowCardinalityKeys.OUTCOME.withValue(outcome));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TaskExecutionContext context) {
        return KeyValues.of(ExecutionHighCardinalityKeys.TASK_ID.withValue(context.getTask().taskId()),
                ExecutionHighCardinalityKeys.ATTEMPT.withValue(Integer.toString(context.getTask().attempt())));
    }
}

package dev.taskqueue.observation;

import dev.taskqueue.observation.TaskQueueObservation.LowCardinalityKeys;
import io.micrometer.common.KeyValues;

/** The default names and tags of a submission: {@code taskqueue.submit}, span "submit &lt;task&gt;". */
public class DefaultTaskSubmitObservationConvention implements TaskSubmitObservationConvention {

    /** A shared instance. */
    public static final DefaultTaskSubmitObservationConvention INSTANCE = new DefaultTaskSubmitObservationConvention();

    @Override
    public String getName() {
        return "taskqueue.submit";
    }

    @Override
    public String getContextualName(TaskSubmitContext context) {
        return "submit " + context.getTaskName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TaskSubmitContext context) {
        return KeyValues.of(LowCardinalityKeys.TASK.withValue(context.getTaskName()),
                LowCardinalityKeys.QUEUE.withValue(context.getQueue()));
    }
}

package dev.taskqueue.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags the observation of a task run; declare a bean to replace the default one. */
public interface TaskExecutionObservationConvention extends ObservationConvention<TaskExecutionContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TaskExecutionContext;
    }
}

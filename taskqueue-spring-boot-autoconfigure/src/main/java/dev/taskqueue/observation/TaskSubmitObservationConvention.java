package dev.taskqueue.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/** Names and tags the observation of a task submission; declare a bean to replace the default one. */
public interface TaskSubmitObservationConvention extends ObservationConvention<TaskSubmitContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof TaskSubmitContext;
    }
}

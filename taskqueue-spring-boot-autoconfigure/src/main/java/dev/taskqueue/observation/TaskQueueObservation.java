package dev.taskqueue.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * Taskqueue's observations, their default conventions and their key names. With Boot's observation support they
 * become timers ({@code taskqueue.submit}, {@code taskqueue.execute}: the only timer of task runs, tagged with their
 * outcome) and, with a tracer, spans: a PRODUCER span around each submission and a CONSUMER span, its child, around
 * each run.
 */
public enum TaskQueueObservation implements ObservationDocumentation {

    /** A submission: one call, or a bulk {@code submitAll} sent in one round trip. */
    SUBMIT {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTaskSubmitObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }
    },

    /** One run of a task on a worker. */
    EXECUTE {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultTaskExecutionObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return KeyName.merge(LowCardinalityKeys.values(), ExecutionLowCardinalityKeys.values());
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return ExecutionHighCardinalityKeys.values();
        }
    };

    /** Tags of both observations (bounded: task names of this application, queue names). */
    public enum LowCardinalityKeys implements KeyName {

        /** The task's name ({@code other} for a task this application does not declare, {@code multiple} for a bulk submission of several). */
        TASK {
            @Override
            public String asString() {
                return "taskqueue.task";
            }
        },

        /** The queue ({@code multiple} for a bulk submission to several). */
        QUEUE {
            @Override
            public String asString() {
                return "taskqueue.queue";
            }
        }
    }

    /** Tags of a run, known when it ended (bounded). */
    public enum ExecutionLowCardinalityKeys implements KeyName {

        /**
         * How the run ended: {@code success}, {@code failure}, {@code retry} (it failed and runs again later) or
         * {@code revoked} (stopped by a revocation).
         */
        OUTCOME {
            @Override
            public String asString() {
                return "taskqueue.outcome";
            }
        }
    }

    /** Span tags of a run (unbounded: not for metrics). */
    public enum ExecutionHighCardinalityKeys implements KeyName {

        /** The task's id. */
        TASK_ID {
            @Override
            public String asString() {
                return "taskqueue.task.id";
            }
        },

        /** The attempt, from 1. */
        ATTEMPT {
            @Override
            public String asString() {
                return "taskqueue.task.attempt";
            }
        }
    }
}

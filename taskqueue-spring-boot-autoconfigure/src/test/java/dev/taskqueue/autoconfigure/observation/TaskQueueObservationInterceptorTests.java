package dev.taskqueue.autoconfigure.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.RetryRequestedException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.observation.TaskQueueObservationInterceptor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What follows a run in its workflow, started on another thread than the run's (a chord's callback, once its last
 * member's report was recorded), is submitted as a child of that run: the interceptor's decoration carries the run
 * there. A thread that never ran the task, so that nothing but the decoration can.
 */
class TaskQueueObservationInterceptorTests {

    private final ObservationRegistry registry = ObservationRegistry.create();

    private final TaskQueueObservationInterceptor interceptor = new TaskQueueObservationInterceptor(registry,
            new TaskRegistry(JsonMapper.builder().build(), "default"), null, null);

    private final TaskContext member = new Member("member-1");

    /** The parent of the last submission's observation. */
    private final AtomicReference<@Nullable Observation> parent = new AtomicReference<>();

    TaskQueueObservationInterceptorTests() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    @Test
    void aContinuationDecoratedOnTheRunsThreadIsSubmittedAsItsChildOnAnother() throws Throwable {
        Observation run = runOnThisThread();
        Runnable continuation = decoratedOnThisThread(submitsAndRecordsParent());

        assertThat(onAnotherThread(continuation)).isSameAs(run);
    }

    @Test
    void anUndecoratedContinuationOnAnotherThreadHasNoParent() throws Throwable {
        runOnThisThread();

        assertThat(onAnotherThread(submitsAndRecordsParent())).isNull();
    }

    /** The member's run on this thread; its observation. */
    private Observation runOnThisThread() throws Throwable {
        AtomicReference<Observation> observed = new AtomicReference<>();
        CurrentTask.set(member);
        try {
            interceptor.aroundExecution(member, () -> {
                observed.set(registry.getCurrentObservation());
                return null;
            });
        }
        finally {
            CurrentTask.set(null);
        }
        return observed.get();
    }

    private Runnable decoratedOnThisThread(Runnable continuation) {
        CurrentTask.set(member);
        try {
            return interceptor.decorateContinuation(member, continuation);
        }
        finally {
            CurrentTask.set(null);
        }
    }

    /** A continuation that submits a step, and keeps the parent of that submission's observation. */
    private Runnable submitsAndRecordsParent() {
        return () -> {
            try {
                interceptor.aroundSubmit(List.of(TaskCall.of("test.next")), () -> {
                    Observation submit = registry.getCurrentObservation();
                    parent.set(submit == null ? null : submit.getContext().getParentObservation() instanceof
                            Observation observation ? observation : null);
                    return null;
                });
            }
            catch (Throwable ex) {
                throw new IllegalStateException(ex);
            }
        };
    }

    /** Runs {@code continuation} on a new thread with the member's task current, as the engine does. */
    private @Nullable Observation onAnotherThread(Runnable continuation) throws Exception {
        CompletableFuture.runAsync(() -> {
            CurrentTask.set(member);
            try {
                continuation.run();
            }
            finally {
                CurrentTask.set(null);
            }
        }, command -> new Thread(command).start()).get(10, TimeUnit.SECONDS);
        return parent.get();
    }

    /** A chord member's task, as the engine makes it current. */
    private record Member(String taskId) implements TaskContext {

        @Override
        public String taskName() {
            return "test.member";
        }

        @Override
        public String queue() {
            return "default";
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of();
        }

        @Override
        public String workerId() {
            return "worker-1";
        }

        @Override
        public void progress(double fraction, @Nullable String message) {
        }

        @Override
        public RetryRequestedException retry(Duration delay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public RetryRequestedException retry(Duration delay, Throwable cause) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isSoftTimeLimitExceeded() {
            return false;
        }

        @Override
        public void checkTimeLimit() {
        }

        @Override
        public boolean isRevoked() {
            return false;
        }
    }
}

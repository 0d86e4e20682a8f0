package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Retry;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TaskState;
import dev.taskqueue.TimeLimitExceededException;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.event.TaskEventListener.Outcome;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

/**
 * The execution policies in the inline mode: its tasks run through a worker's steps, in the caller's thread, so that
 * retries, expiry, time limits, interceptors and events behave as on a worker, but at once.
 */
class InlinePoliciesTest {

    /** Tasks whose retries would wait an hour on a worker. */
    public static class PatientTasks {

        final PolicyTasks counts = new PolicyTasks();

        @Task(name = "inline.flaky", retry = @Retry(maxRetries = 3, delay = "1h"))
        public String flaky(String key, int failures) {
            return counts.flaky(key, failures);
        }

        @Task(name = "inline.asksAgain")
        public String asksAgain(String key, int times) {
            counts.runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (TaskContext.current().attempt() <= times) {
                throw TaskContext.current().retry(Duration.ofHours(1));
            }
            return "attempt " + TaskContext.current().attempt();
        }
    }

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final TaskRegistry registry = new TaskRegistry(mapper, "default");
    private final PolicyTasks tasks = new PolicyTasks();
    private final PatientTasks patient = new PatientTasks();
    private final List<Execution> finished = new CopyOnWriteArrayList<>();
    private final TaskEventListener listener = new TaskEventListener() {
        @Override
        public void finished(Execution execution) {
            finished.add(execution);
        }
    };

    InlinePoliciesTest() {
        registry.register("tasks", tasks, PolicyTasks.class);
        registry.register("patient", patient, PatientTasks.class);
    }

    @AfterEach
    void theCallersThreadIsNotLeftInterrupted() {
        assertThat(Thread.interrupted()).as("an interrupt of a time limit left to the caller").isFalse();
    }

    private TaskClient client(WorkerSettings settings, TaskInterceptor... interceptors) {
        return InlineWorker.client(registry, new MessageCodec(mapper), ClientSettings.DEFAULTS, settings, listener,
                List.of(interceptors), Clock.systemUTC());
    }

    private TaskClient client() {
        return client(WorkerSettings.builder().build());
    }

    private List<Outcome> outcomes() {
        return finished.stream().map(Execution::outcome).toList();
    }

    @Test
    void aRetryOfItsPolicyRunsAgainAtOnceInsteadOfWaitingItsDelay() {
        TaskHandle<String> handle = client().submit(PatientTasks::flaky, "k", 2);

        assertThat(handle.get(Duration.ZERO)).isEqualTo("k after 3");
        assertThat(handle.info().attempt()).isEqualTo(3);
        assertThat(outcomes()).containsExactly(Outcome.RETRY, Outcome.RETRY, Outcome.SUCCESS);
    }

    @Test
    void aTaskThatFailsEveryRetryFailsAsOnAWorker() {
        TaskHandle<String> handle = client().submit(PolicyTasks::alwaysFails, "k");

        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThatThrownBy(() -> handle.get(Duration.ZERO)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("always");
        assertThat(tasks.runsOf("k")).isEqualTo(3); // @Retry(maxRetries = 2)
        assertThat(handle.info().attempt()).isEqualTo(3);
        assertThat(outcomes()).containsExactly(Outcome.RETRY, Outcome.RETRY, Outcome.FAILURE);
        assertThat(finished.get(2).error().message()).isEqualTo("always");
    }

    @Test
    void aRetryTheTaskAsksForRunsAgainAtOnce() {
        TaskHandle<String> handle = client().submit(PatientTasks::asksAgain, "k", 1);

        assertThat(handle.get(Duration.ZERO)).isEqualTo("attempt 2");
        assertThat(outcomes()).containsExactly(Outcome.RETRY, Outcome.SUCCESS);
    }

    @Test
    void retriesATaskAsksForAreBoundedAsOnAWorker() {
        TaskHandle<String> handle = client().submit(PatientTasks::asksAgain, "k", 10);

        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(patient.counts.runsOf("k")).isEqualTo(RetryPolicy.DEFAULT_MAX_REQUESTED_RETRIES + 1);
    }

    @Test
    void theWorkerSettingsDefaultPoliciesApply() {
        TaskClient client = client(WorkerSettings.builder().defaultPolicies(TaskPolicies.NONE
                .withRetry(RetryPolicy.maxRetries(1).withDelay(Duration.ofHours(1)))).build());

        assertThat(client.submit(PolicyTasks::noRetryDeclared, "k").state()).isEqualTo(TaskState.FAILURE);
        assertThat(tasks.runsOf("k")).isEqualTo(2);
    }

    @Test
    void anExpiredTaskIsRevokedWithoutRunning() {
        TaskHandle<String> handle = client().withOptions(TaskOptions.defaults()
                .expiresAt(Instant.now().minusSeconds(1))).submit(PolicyTasks::quick, "k");

        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
        assertThat(handle.info().error().message()).startsWith("expired");
        assertThat(tasks.runsOf("k")).isZero();
        assertThat(outcomes()).containsExactly(Outcome.REVOKED);
    }

    @Test
    void theTaskSeesItsSoftTimeLimit() {
        TaskHandle<String> handle = client().submit(PolicyTasks::soft, "k", true);

        assertThat(handle.get(Duration.ZERO)).isEqualTo("cleaned up");
    }

    @Test
    void theHardTimeLimitFailsTheTaskOnceItReturns() {
        TaskHandle<String> handle = client().submit(PolicyTasks::stuck, "k");

        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(handle.info().error().type()).isEqualTo(TimeLimitExceededException.class.getName());
        assertThat(outcomes()).containsExactly(Outcome.FAILURE);
    }

    @Test
    void interceptorsRunAroundTheTaskWithItsContextAndLoggingContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        TaskInterceptor interceptor = new TaskInterceptor() {
            @Override
            public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
                seen.add(task.taskName() + " by " + task.workerId() + ", MDC " + MDC.get("taskName"));
                return "intercepted " + invocation.proceed();
            }
        };

        TaskHandle<String> handle = client(WorkerSettings.builder().build(), interceptor)
                .submit(PolicyTasks::quick, "k");

        assertThat(handle.get(Duration.ZERO)).isEqualTo("intercepted k");
        assertThat(seen).containsExactly("policy.quick by inline, MDC policy.quick");
        assertThat(MDC.get("taskName")).isNull();
    }

    @Test
    void listenersHearEachRunWithItsOutcome() {
        TaskHandle<String> handle = client().submit(PolicyTasks::quick, "k");

        assertThat(finished).singleElement().satisfies(execution -> {
            assertThat(execution.taskId()).isEqualTo(handle.id());
            assertThat(execution.taskName()).isEqualTo("policy.quick");
            assertThat(execution.outcome()).isEqualTo(Outcome.SUCCESS);
        });
    }
}

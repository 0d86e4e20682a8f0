package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.Workflows;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Progress reports, interceptors around submit and execution, the task's context, and uniqueness on revoke. */
class ProgressAndInterceptorsTest {

    private final PolicyTasks tasks = new PolicyTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    void progressIsVisibleThroughTheHandle() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::progress, "p");

        await().atMost(Duration.ofSeconds(5)).until(() -> handle.info().progress() != null);
        TaskInfo info = handle.info();
        assertThat(info.progress()).isEqualTo(0.5);
        assertThat(info.progressMessage()).isEqualTo("half way");
        tasks.gate.countDown();
        assertThat(handle.get(Duration.ofSeconds(5))).isEqualTo("p");
    }

    @Test
    void interceptorsRunAroundSubmitAndExecutionInOrder() {
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        TaskInterceptor tenant = new TaskInterceptor() {
            @Override
            public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
                order.add("submit:tenant");
                return options.header("tenant", "acme");
            }

            @Override
            public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
                order.add("before:tenant");
                PolicyTasks.Tenant.CURRENT.set(task.headers().get("tenant"));
                try {
                    return invocation.proceed();
                }
                finally {
                    PolicyTasks.Tenant.CURRENT.remove();
                    order.add("after:tenant");
                }
            }
        };
        TaskInterceptor timing = new TaskInterceptor() {
            @Override
            public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
                order.add("before:timing");
                return invocation.proceed();
            }
        };
        DefaultTaskClient client = new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, tq.registry, tq.codec,
                ClientSettings.DEFAULTS, tq.event(), List.of(tenant), Clock.systemUTC());
        Worker worker = new Worker(tq.broker, tq.workflows, tq.registry, tq.codec, TaskQueueFixture.fastSettings().build(),
                tq.event(), List.of(tenant, timing), Clock.systemUTC());
        worker.start();
        try {
            TaskHandle<String> handle = client.submit(PolicyTasks::context);

            assertThat(handle.get(Duration.ofSeconds(5))).isEqualTo("acme/acme/" + handle.id());
            assertThat(order).containsExactly("submit:tenant", "before:tenant", "before:timing", "after:tenant");
            assertThat(tasks.seen).containsExactly(handle.id()); // the task id was in the MDC
        }
        finally {
            worker.stop();
        }
    }

    /**
     * The last member's report is answered after its thread went on to another task: the chord's body starts on a task
     * thread inside what the interceptors made of the member's run, on its thread, as it ended (a trace, a tenant).
     */
    @Test
    void aChordsBodyStartsInsideTheInterceptorsDecorationOfTheRunThatCompletedIt() {
        ThreadLocal<String> decoratedFor = new ThreadLocal<>();
        List<String> decorated = new java.util.concurrent.CopyOnWriteArrayList<>();
        TaskInterceptor carrier = new TaskInterceptor() {
            @Override
            public Runnable decorateContinuation(TaskContext task, Runnable continuation) {
                decorated.add(task.taskId());
                return () -> {
                    decoratedFor.set(task.taskId());
                    try {
                        continuation.run();
                    }
                    finally {
                        decoratedFor.remove();
                    }
                };
            }

            @Override
            public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
                String member = decoratedFor.get();
                String current = TaskContext.find().map(TaskContext::taskId).orElse(null);
                return member != null && member.equals(current) ? options.header("started-by", member) : options;
            }
        };
        String startedBy = chordBodyWith(carrier);

        assertThat(decorated).as("each member's run, as it ended").hasSize(2);
        assertThat(startedBy).as("the member whose report completed the chord").isIn(decorated);
    }

    /** An interceptor that fails to decorate the start of a chord's body: the body starts without it. */
    @Test
    void aChordsBodyStartsWhenAnInterceptorFailsToDecorateIt() {
        chordBodyStartsWith(new TaskInterceptor() {
            @Override
            public Runnable decorateContinuation(TaskContext task, Runnable continuation) {
                throw new IllegalStateException("cannot decorate");
            }
        });
    }

    /**
     * An interceptor whose decoration fails before it runs the start of a chord's body: the body starts all the same,
     * and the worker goes on (an error escaping a task thread would have halted it).
     */
    @Test
    void aChordsBodyStartsWhenAnInterceptorFailsAroundIt() {
        chordBodyStartsWith(new TaskInterceptor() {
            @Override
            public Runnable decorateContinuation(TaskContext task, Runnable continuation) {
                return () -> {
                    throw new IllegalStateException("fails around");
                };
            }
        });
    }

    /** The body started, undecorated, and the worker still runs tasks. */
    private void chordBodyStartsWith(TaskInterceptor failing) {
        assertThat(chordBodyWith(failing)).isEqualTo("none");
    }

    /**
     * What the body of a chord of two says started it, run by a worker with {@code interceptor}; the worker still
     * runs tasks afterwards.
     */
    private String chordBodyWith(TaskInterceptor interceptor) {
        Worker worker = new Worker(tq.broker, tq.workflows, tq.registry, tq.codec,
                TaskQueueFixture.fastSettings().build(), tq.event(), List.of(interceptor), Clock.systemUTC());
        worker.start();
        try {
            TaskHandle<String> body = tq.client.submit(Workflows.chord(Workflows.group(
                    TaskCall.of(PolicyTasks::context), TaskCall.of(PolicyTasks::context)),
                    TaskCall.partial(PolicyTasks::startedBy)));
            String startedBy = body.get(Duration.ofSeconds(10));

            assertThat(worker.state()).isEqualTo(Worker.State.RUNNING);
            TaskHandle<String> next = tq.client.submit(PolicyTasks::context);
            assertThat(next.get(Duration.ofSeconds(10))).isEqualTo("none/null/" + next.id());
            return startedBy;
        }
        finally {
            worker.stop();
        }
    }

    @Test
    void aroundSubmitWrapsOneBulkSubmissionAndItsBeforeSubmits() {
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        ThreadLocal<String> scope = new ThreadLocal<>();
        TaskInterceptor span = new TaskInterceptor() {
            @Override
            public Object aroundSubmit(List<? extends TaskCall<?>> calls, Invocation invocation) throws Throwable {
                order.add("open:" + calls.size());
                scope.set("span-1");
                try {
                    return invocation.proceed();
                }
                finally {
                    scope.remove();
                    order.add("close");
                }
            }

            @Override
            public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
                order.add("header");
                return options.header("parent", scope.get());
            }

            @Override
            public Object aroundExecution(TaskContext task, Invocation invocation) throws Throwable {
                order.add("run:" + task.headers().get("parent"));
                return invocation.proceed();
            }
        };
        DefaultTaskClient client = new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, tq.registry, tq.codec,
                ClientSettings.DEFAULTS, tq.event(), List.of(span), Clock.systemUTC());
        List<TaskHandle<?>> handles = client.submitAll(List.of(TaskCall.of(PolicyTasks::context),
                TaskCall.of(PolicyTasks::context)));
        assertThat(handles).hasSize(2);
        assertThat(order).containsExactly("open:2", "header", "header", "close");
        Worker worker = new Worker(tq.broker, tq.workflows, tq.registry, tq.codec, TaskQueueFixture.fastSettings().build(),
                tq.event(), List.of(span), Clock.systemUTC());
        worker.start();
        try {
            handles.forEach(h -> h.get(Duration.ofSeconds(5)));
            assertThat(order).endsWith("run:span-1", "run:span-1");
        }
        finally {
            worker.stop();
        }
    }

    @Test
    void theContextIsOnlyAvailableInsideATask() {
        assertThatThrownBy(TaskContext::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only available inside a @Task method");
        assertThat(TaskContext.find()).isEmpty();
    }

    @Test
    void revokingADelayedUniqueTaskReleasesItsKey() {
        TaskHandle<String> first = tq.client.submit(PolicyTasks::debounced, "p-9", 1);
        first.revoke();

        TaskHandle<String> next = tq.client.submit(PolicyTasks::debounced, "p-9", 2);
        assertThat(next.id()).isNotEqualTo(first.id());
        tq.startWorker();
        assertThat(next.get(Duration.ofSeconds(5))).isEqualTo("p-9:2");
    }
}

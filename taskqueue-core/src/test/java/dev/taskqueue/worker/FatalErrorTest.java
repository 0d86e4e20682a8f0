package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.CatalogStore;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fatal error in any thread of a worker halts it: it stops heartbeating and claiming (its state is FAILED), so that
 * other workers take its tasks once it is seen dead. Each part meets an {@link OutOfMemoryError} from a thin wrapper
 * around the real Redis broker (or the catalog's store), or from a task; Redis is real.
 */
class FatalErrorTest {

    private final FatalTasks tasks = new FatalTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private Worker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.stop();
        }
        tq.close();
    }

    /** Where the error is met: the part, the name of its thread, and how it is made to meet one. */
    enum Part {
        HEARTBEAT("taskqueue-heartbeat-", "heartbeat", 3), // the first beat is the start's own
        FETCHER("taskqueue-fetcher-", "claim", 1),
        ACKER("taskqueue-acker-", "acknowledge", 1),
        JANITOR("taskqueue-janitor-", "recover", 1),
        PROMOTER("taskqueue-promoter-", "promoteDue", 1),
        CATALOG_PUBLISHER("taskqueue-catalog-", "publish", 2), // the first publish is the start's own
        TASK("taskqueue-task-", null, 0), // the task throws it
        TIMER("taskqueue-timers-", "progress", 1); // a progress report sent later, by the timer

        final String thread;
        final String method;
        final int fromCall;

        Part(String thread, String method, int fromCall) {
            this.thread = thread;
            this.method = method;
            this.fromCall = fromCall;
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void aFatalErrorInAnyThreadOfTheWorkerHaltsIt(Part part) throws Exception {
        Broker broker = part == Part.CATALOG_PUBLISHER || part == Part.TASK ? tq.broker
                : failing(Broker.class, tq.broker, part);
        CatalogStore store = tq.stores.catalog();
        TaskCatalog catalog = new TaskCatalog(tq.registry, part == Part.CATALOG_PUBLISHER
                ? failing(CatalogStore.class, store, part) : store, tq.mapper, Clock.systemUTC());
        worker = new Worker(broker, catalog, tq.codec, TaskQueueFixture.fastSettings().workerId("w1").build(),
                tq.event(), List.of(), DefaultTaskClient.workflowEngine(broker, tq.workflows, catalog, tq.codec,
                        ClientSettings.DEFAULTS, List.of(), tq.event(), Clock.systemUTC()), Clock.systemUTC());
        worker.start();
        TaskHandle<?> running = null;
        switch (part) {
            case ACKER -> tq.client.submit(FatalTasks::echo, "done");
            case TASK -> {
                running = tq.client.submit(FatalTasks::sleep, 30_000L);
                TaskHandle<?> sleeping = running;
                await().atMost(Duration.ofSeconds(10)).until(() -> tasks.sleeping.get() == 1
                        && sleeping.state() == TaskState.STARTED);
                tq.client.submit(FatalTasks::outOfMemory);
            }
            case TIMER -> tq.client.submit(FatalTasks::progress);
            default -> {
            }
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> worker.state() == Worker.State.FAILED);

        assertThat(worker.fatalError()).contains("java.lang.OutOfMemoryError").contains("in thread " + part.thread);
        Thread.sleep(300); // a beat sent just before the halt lands
        Double lastBeat = SharedRedis.admin().sync().zscore("{taskqueue}:workers", "w1");
        tq.client.submit(FatalTasks::echo, "after");
        // One wait for both silences: five heartbeat intervals, and two poll timeouts in which to claim that task.
        Thread.sleep(1_000);
        assertThat(SharedRedis.admin().sync().zscore("{taskqueue}:workers", "w1")).as("no heartbeat since")
                .isEqualTo(lastBeat);
        assertThat(tasks.echoed.get()).as("nothing claimed since").isEqualTo(part == Part.ACKER ? 1 : 0);
        if (running != null) {
            await("the running task is interrupted").atMost(Duration.ofSeconds(5))
                    .until(() -> tasks.sleeping.get() == 0);
            assertThat(running.state()).as("not recorded: it runs again elsewhere").isEqualTo(TaskState.STARTED);
        }
    }

    @Test
    void aStackOverflowInATaskFailsOnlyThatTask() {
        worker = tq.startWorker(s -> s.workerId("w1"));

        TaskHandle<Integer> overflow = tq.client.submit(FatalTasks::recurse, 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> overflow.state() == TaskState.FAILURE);
        assertThat(overflow.info().error().type()).isEqualTo(StackOverflowError.class.getName());
        assertThat(worker.state()).isEqualTo(Worker.State.RUNNING);
        assertThat(tq.client.submit(FatalTasks::echo, "next").get(Duration.ofSeconds(10))).isEqualTo("next");
    }

    /**
     * {@code real}, except that {@code part.method}, from its {@code part.fromCall}-th call on a thread of that part,
     * throws an {@link OutOfMemoryError} (before, a {@link RuntimeException}, so that the part tries again).
     */
    @SuppressWarnings("unchecked")
    private static <T> T failing(Class<T> type, T real, Part part) {
        AtomicInteger calls = new AtomicInteger();
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            if (method.getName().equals(part.method) && Thread.currentThread().getName().startsWith(
                    part == Part.HEARTBEAT || part == Part.CATALOG_PUBLISHER ? "" : part.thread)) {
                int call = calls.incrementAndGet();
                if (call >= part.fromCall) {
                    throw new OutOfMemoryError("Java heap space (thrown by the test)");
                }
                if (part == Part.CATALOG_PUBLISHER) {
                    throw new IllegalStateException("not yet"); // tried again in 2 s, not the 30 s of a success
                }
            }
            try {
                return method.invoke(real, args);
            }
            catch (InvocationTargetException ex) {
                throw ex.getCause();
            }
        });
    }

    /** Tasks of this test. */
    public static class FatalTasks {

        final AtomicInteger sleeping = new AtomicInteger();
        final AtomicInteger echoed = new AtomicInteger();

        @Task(name = "fatal.echo")
        public String echo(String value) {
            echoed.incrementAndGet();
            return value;
        }

        @Task(name = "fatal.sleep")
        public void sleep(long millis) throws InterruptedException {
            sleeping.incrementAndGet();
            try {
                Thread.sleep(millis);
            }
            finally {
                sleeping.decrementAndGet();
            }
        }

        @Task(name = "fatal.out-of-memory")
        public void outOfMemory() {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        }

        /** Two reports in a row: the second waits on the timer, which sends it. */
        @Task(name = "fatal.progress")
        public void progress() {
            TaskContext.current().progress(0.1, "first");
            TaskContext.current().progress(0.2, "second");
        }

        @Task(name = "fatal.recurse")
        public int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }
    }
}

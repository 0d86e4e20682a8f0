package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.TaskQueueException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The background loop of a worker's parts: pace, wake-up, back-off, stop and halt, on a real thread. */
class WorkerLoopTest {

    private static final Duration SOON = Duration.ofSeconds(5);
    private static final long AN_HOUR = Duration.ofHours(1).toMillis();

    private final AtomicReference<@Nullable Throwable> fatal = new AtomicReference<>();
    private final FatalErrors fatalErrors = new FatalErrors("w", WorkerSettings.OnFatalError.STOP,
            (thread, error) -> fatal.set(error));
    private final Problems problems = new Problems(Clock.systemUTC());
    private final AtomicInteger steps = new AtomicInteger();
    private @Nullable WorkerLoop loop;

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.halt();
        }
    }

    @Test
    void aWaitEndsEarlyWhenTheLoopIsWokenUp() {
        loop = loop(null, () -> {
            steps.incrementAndGet();
            return AN_HOUR;
        });
        loop.start();
        await().atMost(SOON).until(() -> steps.get() == 1);

        loop.wakeUp();

        await().atMost(SOON).until(() -> steps.get() == 2);
    }

    @Test
    void aFirstWaitComesBeforeTheFirstStep() throws Exception {
        loop = loop(null, () -> {
            steps.incrementAndGet();
            return AN_HOUR;
        });
        loop.start(AN_HOUR);
        Thread.sleep(100);

        assertThat(steps).hasValue(0);
    }

    @Test
    void aStopEndsTheWaitAtOnceWithoutInterruptingAnything() {
        List<Boolean> interrupted = new CopyOnWriteArrayList<>();
        loop = loop(null, () -> {
            steps.incrementAndGet();
            interrupted.add(Thread.currentThread().isInterrupted());
            return AN_HOUR;
        });
        loop.start();
        await().atMost(SOON).until(() -> steps.get() == 1);
        long started = System.nanoTime();

        loop.stop(Duration.ofMinutes(1));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(SOON);
        assertThat(loop.join(Duration.ZERO)).isTrue();
        assertThat(steps).hasValue(1);
        assertThat(interrupted).containsExactly(false);
    }

    @Test
    void aStepThatOutlastsTheStopIsInterrupted() throws Exception {
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        loop = loop(null, () -> {
            inStep.countDown();
            try {
                Thread.sleep(AN_HOUR);
            }
            catch (InterruptedException ex) {
                interrupted.countDown();
                throw ex;
            }
            return 0;
        });
        loop.start();
        inStep.await();

        loop.stop(Duration.ofMillis(50));

        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.join(SOON)).isTrue();
        assertThat(fatal).hasValue(null);
    }

    @Test
    void aFailedStepIsReportedByTheBackoffAndTriedAgainAfterIt() {
        Backoff backoff = new Backoff("do the step", problems, LoggerFactory.getLogger(WorkerLoopTest.class));
        loop = loop(backoff, () -> {
            if (steps.incrementAndGet() == 1) {
                throw new TaskQueueException("broken");
            }
            backoff.succeeded();
            return AN_HOUR;
        });
        loop.start();

        await().atMost(SOON).until(() -> steps.get() == 2);
        assertThat(problems.describe()).isEmpty(); // recorded by the failure, cleared by the success after it
        assertThat(fatal).hasValue(null);
    }

    @Test
    void aFailingStepDoesNotRunMoreOftenThanItsPace() throws Exception {
        Backoff backoff = new Backoff("do the step", problems, LoggerFactory.getLogger(WorkerLoopTest.class));
        loop = loop(backoff, () -> {
            if (steps.incrementAndGet() > 1) {
                throw new TaskQueueException("broken");
            }
            return AN_HOUR;
        });
        loop.start();
        await().atMost(SOON).until(() -> steps.get() == 1);
        loop.wakeUp(); // the second step fails: the next waits an hour and the back-off's delay

        await().atMost(SOON).until(() -> steps.get() == 2);
        Thread.sleep(300);

        assertThat(steps).hasValue(2);
        assertThat(problems.describe()).containsKey("do the step");
    }

    @Test
    void aStepFailingWithoutABackoffEndsTheThreadThroughFatalErrors() {
        loop = loop(null, () -> {
            throw new IllegalStateException("a bug");
        });
        loop.start();

        await().atMost(SOON).until(() -> fatal.get() != null);
        assertThat(fatal.get()).hasMessage("a bug");
    }

    @Test
    void aHaltInterruptsTheStepAtOnce() throws Exception {
        CountDownLatch inStep = new CountDownLatch(1);
        loop = loop(null, () -> {
            inStep.countDown();
            Thread.sleep(AN_HOUR);
            return 0;
        });
        loop.start();
        inStep.await();

        loop.halt();

        assertThat(loop.join(SOON)).isTrue();
        assertThat(loop.running()).isFalse();
    }

    private WorkerLoop loop(@Nullable Backoff backoff, WorkerLoop.Step step) {
        return new WorkerLoop("taskqueue-test-loop", fatalErrors, backoff, step);
    }
}

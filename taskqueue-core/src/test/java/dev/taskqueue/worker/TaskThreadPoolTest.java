package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskThreadPool}: no task waits behind a running one, short tasks handed over together wake few threads, and
 * the threads end when unused.
 */
class TaskThreadPoolTest {

    private final AtomicReference<Throwable> escaped = new AtomicReference<>();

    private TaskThreadPool pool = new TaskThreadPool("pool-test-", (thread, error) -> escaped.set(error),
            TimeUnit.SECONDS.toNanos(60));

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void everyTaskStartsWhileTheOthersBlockEvenWhenThreadsComeBackFromShortOnes() throws InterruptedException {
        int blocking = 300;
        CountDownLatch started = new CountDownLatch(blocking);
        CountDownLatch release = new CountDownLatch(1);
        // Short tasks between the blocking ones: threads that finish them take the next task without waking anyone,
        // and a blocking task taken that way must not leave the ones behind it without a thread.
        for (int i = 0; i < blocking; i++) {
            pool.execute(() -> { });
            pool.execute(() -> {
                started.countDown();
                await(release);
            });
        }
        try {
            assertThat(started.await(20, TimeUnit.SECONDS)).as("blocking tasks started: %d of %d",
                    blocking - started.getCount(), blocking).isTrue();
        }
        finally {
            release.countDown();
        }
    }

    @Test
    void shortTasksHandedOverTogetherWakeAFewThreadsNotOnePerTask() throws InterruptedException {
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        int batches = 200;
        for (int batch = 0; batch < batches; batch++) {
            CountDownLatch done = new CountDownLatch(50);
            for (int i = 0; i < 50; i++) {
                pool.execute(() -> {
                    used.add(Thread.currentThread());
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }
        // A pool that woke a parked thread for each task handed over would wake about 50 per batch.
        assertThat(pool.wakeUps()).isLessThan(batches * 50 / 4);
        assertThat(used).hasSizeLessThan(25);
    }

    @Test
    void anInterruptMeantForATaskDoesNotReachTheNextOnTheSameThread() throws InterruptedException {
        AtomicReference<Thread> first = new AtomicReference<>();
        CountDownLatch firstDone = new CountDownLatch(1);
        pool.execute(() -> {
            first.set(Thread.currentThread());
            Thread.currentThread().interrupt(); // as a revocation that lands just as the task ends
            firstDone.countDown();
        });
        assertThat(firstDone.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (first.get().getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1); // until it parks, so that the next task wakes it rather than start another thread
        }
        AtomicReference<Thread> second = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean(true);
        CountDownLatch secondDone = new CountDownLatch(1);
        pool.execute(() -> {
            second.set(Thread.currentThread());
            interrupted.set(Thread.currentThread().isInterrupted());
            secondDone.countDown();
        });
        assertThat(secondDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get()).isSameAs(first.get()); // the most recently parked thread is the one woken
        assertThat(interrupted).isFalse();
    }

    @Test
    void threadsParkedPastTheirKeepAliveEnd() throws InterruptedException {
        pool.shutdownNow();
        pool = new TaskThreadPool("pool-keep-alive-", (thread, error) -> escaped.set(error),
                TimeUnit.MILLISECONDS.toNanos(100));
        CountDownLatch release = new CountDownLatch(1);
        runBlocking(8, release);
        assertThat(threadsNamed("pool-keep-alive-")).isEqualTo(8);
        release.countDown();
        assertThat(threadsEventuallyNamed("pool-keep-alive-")).isZero();
        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown); // and a new one starts when a task comes
        assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anErrorThatEscapesATaskGoesToTheHandlerAndTheOtherTasksStillRun() throws InterruptedException {
        pool.execute(() -> {
            throw new IllegalStateException("escaped");
        });
        CountDownLatch after = new CountDownLatch(10);
        for (int i = 0; i < 10; i++) {
            pool.execute(after::countDown);
        }
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        // the other tasks may end on other threads before the failed one's thread reached the handler
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> escaped.get() != null);
        assertThat(escaped.get()).isInstanceOf(IllegalStateException.class).hasMessage("escaped");
    }

    @Test
    void shutdownLetsTheTasksHandedOverRunAndThenEveryThreadEnds() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        runBlocking(4, release);
        release.countDown(); // four threads now park
        CountDownLatch ran = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            pool.execute(ran::countDown);
        }
        pool.shutdown();

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threadsEventuallyNamed("pool-test-")).isZero(); // a thread lives a moment past its last task
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void shutdownNowInterruptsTheRunningTasksAndRefusesMore() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch interrupted = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                }
                catch (InterruptedException ex) {
                    interrupted.countDown();
                }
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.shutdownNow()).isEmpty(); // both started: none waits
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("pool-test-");
    }

    /** Hands over {@code n} tasks that wait for {@code release}, and waits until all of them started. */
    private void runBlocking(int n, CountDownLatch release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                started.countDown();
                await(release);
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The threads named so once none is left, or after 10 s. */
    private static long threadsEventuallyNamed(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threadsNamed(prefix) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return threadsNamed(prefix);
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }
}

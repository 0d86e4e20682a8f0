package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskqueue.broker.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An interrupt of a run (a revocation, a time limit) reaches its thread only while the thread is the run's. */
class RunTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptWhileTheRunHoldsItsThreadReachesIt() {
        Run run = run();

        run.interrupt();

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void anInterruptAfterTheRunLetGoOfItsThreadReachesNothing() {
        Run run = run();

        run.letGoOfThread();
        run.interrupt(); // the thread may be running another task by now

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void lettingGoOfTheThreadClearsAnInterruptSentBefore() {
        Run run = run();
        run.interrupt();

        run.letGoOfThread();

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    private static Run run() {
        return new Run(new Delivery("default", "0", "1-0", "t1", new byte[0], 0, false),
                Thread.currentThread(), 0);
    }
}

package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.broker.Delivery;
import org.junit.jupiter.api.Test;

/** The thread lent in place of a run stuck past its hard limit goes back once, whichever happens first. */
class RunTest {

    private final AtomicInteger givenBack = new AtomicInteger();

    @Test
    void lentThenTheStuckThreadEnds() {
        Run run = run();

        run.lent(givenBack::incrementAndGet);
        assertThat(givenBack).hasValue(0); // still stuck: the extra thread stays
        run.threadBack();

        assertThat(givenBack).hasValue(1);
    }

    @Test
    void theStuckThreadEndsBeforeTheLoanIsRecorded() {
        Run run = run();

        run.threadBack();
        run.lent(givenBack::incrementAndGet);

        assertThat(givenBack).hasValue(1);
    }

    private static Run run() {
        return new Run(new Delivery("default", "0", "1-0", "t1", new byte[0], 0, false),
                Thread.currentThread(), 0);
    }
}

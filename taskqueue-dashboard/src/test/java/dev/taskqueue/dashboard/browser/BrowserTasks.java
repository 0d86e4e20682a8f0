package dev.taskqueue.dashboard.browser;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.taskqueue.Periodic;
import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;
import org.springframework.boot.test.context.TestComponent;

/**
 * The tasks the browser tests submit, all on the queue {@value #QUEUE}: one that echoes, one that takes its time,
 * one that fails while told to (to make a dead letter, then retry it to success), one that runs until released (so that a worker has a
 * running task to show), a chord's callback, and a periodic one for the schedules page. A {@code @TestComponent},
 * so that no other test's component scan picks it up.
 */
@TestComponent
class BrowserTasks {

    static final String QUEUE = "browser";

    /** While true, {@link #flaky} fails. */
    static final AtomicBoolean failing = new AtomicBoolean();

    private static volatile CountDownLatch release = new CountDownLatch(1);

    @Task(name = "browser.echo", queue = QUEUE)
    String echo(String text) {
        return "echo " + text;
    }

    /** Fails while {@link #failing}; its card number is declared sensitive, so the dashboard masks it. */
    @Task(name = "browser.flaky", queue = QUEUE)
    String flaky(String order, @Sensitive String card) {
        if (failing.get()) {
            throw new IllegalStateException("flaky " + order + ": the payment service is down, retry it later");
        }
        return "flaky " + order + " ok";
    }

    /** Takes its time, so that the run-time chart has more than one bucket. */
    @Task(name = "browser.resize", queue = QUEUE)
    String resize(String image, int millis) throws InterruptedException {
        Thread.sleep(millis);
        return image + " resized";
    }

    /** Runs until {@link #releaseHeld()} or 30 s, whichever comes first. */
    @Task(name = "browser.held", queue = QUEUE)
    String held(String label) throws InterruptedException {
        release.await(30, TimeUnit.SECONDS);
        return "held " + label;
    }

    @Task(name = "browser.join", queue = QUEUE)
    String join(List<String> parts) {
        return String.join(", ", parts);
    }

    @Task(name = "browser.report", queue = QUEUE)
    @Periodic(fixedRate = "1h")
    void report() {
        // Nothing: it is here to be listed on the schedules page.
    }

    /** Lets every {@link #held} task finish, and arms the next ones. */
    static void releaseHeld() {
        CountDownLatch current = release;
        release = new CountDownLatch(1);
        current.countDown();
    }
}

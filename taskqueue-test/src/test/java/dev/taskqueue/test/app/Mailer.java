package dev.taskqueue.test.app;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import org.springframework.stereotype.Component;

/** The tasks the kit's tests run: as an application's bean, or registered by a test without Spring. */
@Component
public class Mailer {

    /** Who was written to, in order. */
    public final List<String> sent = new CopyOnWriteArrayList<>();

    @Task(name = "mail.send", queue = "emails")
    public String send(String to, int copies) {
        sent.add(to);
        return to + " x" + copies;
    }

    /** Fails its first attempt and asks to run again in ten minutes. */
    @Task(name = "mail.flaky", queue = "emails")
    public String flaky(String to) {
        if (TaskContext.current().attempt() < 2) {
            throw TaskContext.current().retry(Duration.ofMinutes(10));
        }
        sent.add(to);
        return to;
    }

    @Task(name = "mail.bounce")
    public void bounce(String to) {
        throw new IllegalArgumentException("no mailbox for " + to);
    }

    @Task(name = "mail.slow")
    public void slow(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** Every hour, on the hour. */
    @Task(name = "mail.digest")
    @Periodic(cron = "0 0 * * * *")
    public int digest() {
        return sent.size();
    }
}

package dev.taskqueue.benchmarks;

import java.util.List;
import java.util.concurrent.Callable;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.Unique;

/**
 * The chaos scenario's tasks, on a queue of their own. Each sleeps as long as it is told (so that a kill finds
 * tasks running) and journals its run ({@link RunJournal}), so that the harness can count how often each task ran
 * and explain every extra run. Results are stored, so that the harness can check them.
 */
public class ChaosTasks {

    /** The queue of every chaos task. */
    static final String QUEUE = "chaos";

    /** How many times {@link #flaky} may be retried (200 ms apart). */
    static final int MAX_RETRIES = 3;

    private final RunJournal journal;

    ChaosTasks(RunJournal journal) {
        this.journal = journal;
    }

    /** A plain task; returns {@code millis}. */
    @Task(name = "chaos.work", queue = QUEUE)
    public int work(int millis) throws Exception {
        return journaled(() -> {
            Thread.sleep(millis);
            return millis;
        });
    }

    /** Fails its first {@code failures} attempts (fewer than {@link #MAX_RETRIES}), then returns {@code millis}. */
    @Task(name = "chaos.flaky", queue = QUEUE,
            retry = @Retry(maxRetries = MAX_RETRIES, delay = "200ms", multiplier = 1))
    public int flaky(int failures, int millis) throws Exception {
        return journaled(() -> {
            Thread.sleep(millis);
            int attempt = TaskContext.current().attempt();
            if (attempt <= failures) {
                throw new IllegalStateException("planned failure of attempt " + attempt + " of " + (failures + 1));
            }
            return millis;
        });
    }

    /** A chain's step: {@code value + 1}. */
    @Task(name = "chaos.step", queue = QUEUE)
    public long step(long value, int millis) throws Exception {
        return journaled(() -> {
            Thread.sleep(millis);
            return value + 1;
        });
    }

    /** A chord's member: {@code i * i}. */
    @Task(name = "chaos.part", queue = QUEUE)
    public long part(int i, int millis) throws Exception {
        return journaled(() -> {
            Thread.sleep(millis);
            return (long) i * i;
        });
    }

    /** A chord's callback: the sum of its members' results. */
    @Task(name = "chaos.total", queue = QUEUE)
    public long total(List<Long> parts) throws Exception {
        return journaled(() -> parts.stream().mapToLong(Long::longValue).sum());
    }

    /**
     * An order, unique by its caller's tenant and order id while it is queued or running: {@code tenant|orderId}.
     * The scenario submits the orders of two callers whose keys used to be the same, ("acme:1", "2") and
     * ("acme", "1:2"), to check that they are kept apart.
     */
    @Task(name = "chaos.order", queue = QUEUE, unique = @Unique(key = "#tenant:#orderId"))
    public String order(String tenant, String orderId) throws Exception {
        return journaled(() -> tenant + "|" + orderId);
    }

    private <T> T journaled(Callable<T> body) throws Exception {
        TaskContext task = TaskContext.current();
        journal.started(task.taskId(), task.attempt());
        boolean ok = false;
        try {
            T result = body.call();
            ok = true;
            return result;
        }
        finally {
            journal.ended(task.taskId(), task.attempt(), ok);
        }
    }
}

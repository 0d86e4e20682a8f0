package dev.taskqueue.benchmarks;

import static dev.taskqueue.Workflows.chain;
import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskOptions;

/**
 * Submits units of work at a steady rate, one submit call each, as an application would: in every ten, five
 * plain tasks, two that fail once or twice before they succeed (retried through Redis), two chains of three steps
 * and one chord of three to five members. Each task runs 20 to 300 ms. Every task id is chosen here, so that the
 * workers' journals can be matched with what was submitted. A submit that throws (Redis is restarting) is counted
 * as refused and not tried again; a producer that falls more than a second behind (a submit waited for Redis)
 * takes up the rate from there rather than catching up in a burst.
 */
final class ChaosProducer implements Runnable {

    enum Kind {
        TASK, RETRIED, CHAIN, CHORD
    }

    private static final Kind[] MIX = { Kind.TASK, Kind.CHAIN, Kind.RETRIED, Kind.TASK, Kind.CHORD, Kind.TASK,
            Kind.RETRIED, Kind.CHAIN, Kind.TASK, Kind.TASK };

    /**
     * A unit of work.
     *
     * @param id its name in notes
     * @param kind what it is
     * @param finalTaskId the task whose success completes it (a chain's last step, a chord's callback)
     * @param taskIds all its tasks
     * @param expected the final task's result when all went well
     * @param submittedAt when the submit returned (or threw), epoch ms
     */
    record Unit(String id, Kind kind, String finalTaskId, List<String> taskIds, long expected, long submittedAt) {
    }

    /** A unit whose submit threw, with why. */
    record Refusal(Unit unit, String error) {
    }

    private final TaskClient client;
    private final String tag;
    private final int rate;
    private final Duration duration;
    private final List<Unit> accepted = Collections.synchronizedList(new ArrayList<>());
    private final List<Refusal> refused = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    /** @param tag makes this run's task ids unique in Redis */
    ChaosProducer(TaskClient client, String tag, int rate, Duration duration) {
        this.client = client;
        this.tag = tag;
        this.rate = rate;
        this.duration = duration;
    }

    @Override
    public void run() {
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long origin = start;
        for (int i = 0; !stopped && System.nanoTime() < end; i++) {
            long due = origin + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Deadline.sleep(wait / 1_000_000);
            }
            else if (-wait > 1_000_000_000L) {
                origin = System.nanoTime() - i * period; // behind by over a second: go on from now
            }
            submit(i);
        }
    }

    void stop() {
        stopped = true;
    }

    private void submit(int i) {
        Random random = new Random(i);
        Kind kind = MIX[i % MIX.length];
        String base = tag + "-" + i;
        List<String> ids = new ArrayList<>();
        Signature<?> work;
        long expected;
        switch (kind) {
            case TASK -> {
                int millis = millis(random);
                work = withId(TaskCall.of(ChaosTasks::work, millis), base, ids);
                expected = millis;
            }
            case RETRIED -> {
                int millis = millis(random);
                work = withId(TaskCall.of(ChaosTasks::flaky, 1 + (i / MIX.length) % 2, millis), base, ids);
                expected = millis;
            }
            case CHAIN -> {
                work = chain(withId(TaskCall.of(ChaosTasks::step, 0L, millis(random)), base + ".1", ids),
                        withId(TaskCall.partial(ChaosTasks::step, millis(random)), base + ".2", ids),
                        withId(TaskCall.partial(ChaosTasks::step, millis(random)), base + ".3", ids));
                expected = 3;
            }
            default -> {
                int size = 3 + i % 3;
                List<Signature<Long>> members = new ArrayList<>();
                long sum = 0;
                for (int m = 0; m < size; m++) {
                    members.add(withId(TaskCall.of(ChaosTasks::part, m, millis(random)), base + ".m" + m, ids));
                    sum += (long) m * m;
                }
                work = chord(group(members), withId(TaskCall.partial(ChaosTasks::total), base + ".cb", ids));
                expected = sum;
            }
        }
        String error = null;
        try {
            client.submit(work);
        }
        catch (RuntimeException ex) {
            error = ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        Unit unit = new Unit(base, kind, ids.get(ids.size() - 1), List.copyOf(ids), expected,
                System.currentTimeMillis());
        if (error == null) {
            accepted.add(unit);
        }
        else {
            refused.add(new Refusal(unit, error));
        }
    }

    private static int millis(Random random) {
        return 20 + random.nextInt(281);
    }

    private static <R> TaskCall<R> withId(TaskCall<R> call, String id, List<String> ids) {
        ids.add(id);
        return call.withOptions(TaskOptions.defaults().taskId(id));
    }

    /** The units whose submit returned. */
    List<Unit> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    /** The task ids of every unit submitted, acknowledged or refused (a refused one may have been stored). */
    Set<String> submittedTaskIds() {
        Set<String> ids = new HashSet<>();
        accepted().forEach(u -> ids.addAll(u.taskIds()));
        refused().forEach(r -> ids.addAll(r.unit().taskIds()));
        return ids;
    }

    /** The units whose submit threw. */
    List<Refusal> refused() {
        synchronized (refused) {
            return List.copyOf(refused);
        }
    }
}

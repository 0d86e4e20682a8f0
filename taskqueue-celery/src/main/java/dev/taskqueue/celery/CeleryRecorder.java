package dev.taskqueue.celery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the ends of Celery tasks in batches, as taskqueue's own acknowledger does: everything that ended while the
 * previous batch was in flight goes in the next, one FINISH script for all of them (their results, follow-ups and
 * acknowledgements), so that a busy worker pays one round trip per batch, not per task, and a lone task waits for no
 * one. A batch Redis cannot take now (an outage) is tried again until it can: its deliveries stay held meanwhile, so
 * their tasks are neither lost nor run again.
 */
final class CeleryRecorder {

    private static final Logger log = LoggerFactory.getLogger(CeleryRecorder.class);

    /** The most ends one script records. */
    static final int MAX_BATCH = 500;

    private record Ended(CeleryMessage message, CeleryQueues.Finish finish, CompletableFuture<Void> recorded) {
    }

    private final CeleryQueues queues;
    private final long resultTtlSeconds;
    private final String nodename;
    private final BlockingQueue<Ended> waiting = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopping;

    CeleryRecorder(CeleryQueues queues, long resultTtlSeconds, String nodename) {
        this.queues = queues;
        this.resultTtlSeconds = resultTtlSeconds;
        this.nodename = nodename;
        this.thread = new Thread(this::loop, "taskqueue-celery-recorder");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Records this end with the next batch; the future completes once Redis has it. */
    CompletableFuture<Void> record(CeleryMessage message, CeleryQueues.Finish finish) {
        Ended ended = new Ended(message, finish, new CompletableFuture<>());
        waiting.add(ended);
        return ended.recorded();
    }

    /** Records what waits, within {@code timeout}; what Redis does not take by then runs again elsewhere. */
    void stop(Duration timeout) {
        stopping = true;
        try {
            thread.join(timeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        if (!waiting.isEmpty()) {
            log.warn("Celery worker {} stops with {} task end(s) Redis did not take; those tasks run again", nodename,
                    waiting.size());
        }
    }

    private void loop() {
        List<Ended> batch = new ArrayList<>();
        long backoff = 100;
        while (!(stopping && waiting.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    Ended first = waiting.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    waiting.drainTo(batch, MAX_BATCH - 1);
                }
                send(batch);
                batch.clear();
                backoff = 100;
            }
            catch (InterruptedException ex) {
                return;
            }
            catch (RuntimeException ex) {
                if (backoff == 100) {
                    log.warn("Celery worker {} could not record the end of {} task(s); trying again until Redis takes "
                            + "them: {}", nodename, batch.size(), ex.getMessage());
                }
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 2000);
            }
        }
    }

    private void send(List<Ended> batch) {
        List<CeleryQueues.Finish> ends = new ArrayList<>(batch.size());
        Map<String, CeleryMessage> byTag = new HashMap<>();
        for (Ended ended : batch) {
            ends.add(ended.finish());
            byTag.put(ended.finish().tag, ended.message());
        }
        for (String tag : queues.finish(ends, resultTtlSeconds)) {
            @Nullable CeleryMessage message = byTag.get(tag);
            if (message != null) {
                log.warn("Task {} [{}] ended after its delivery was restored to {} (this worker was thought dead): "
                        + "its result is stored, what follows it is not sent from here; it runs again", message.task(),
                        message.id(), message.queue());
            }
        }
        batch.forEach(ended -> ended.recorded().complete(null));
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        }
        catch (InterruptedException ex) {
            return false;
        }
    }
}

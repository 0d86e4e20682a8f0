package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.WorkerInfo;

/**
 * Watches the workers the broker lists, every {@link #PERIOD_MILLIS}, for what explains a task that ran again
 * while its worker lived: a worker removed from the list (a janitor took it for dead), and how long each worker's
 * heartbeat was silent at most while its process ran. A worker listed as lost (its info expired, as during a
 * Redis outage) is still listed: only a janitor removes it. Heartbeats are scored by Redis's clock, read here
 * against this machine's (the same clock when Redis runs here).
 */
final class FleetWatch implements AutoCloseable {

    private static final long PERIOD_MILLIS = 200;

    /**
     * A worker that was listed and then was not.
     *
     * @param workerId the worker
     * @param at when it was first seen missing, epoch ms
     * @param silentFor how long its last heartbeat seen was then
     * @param alive whether its process ran then (not killed): a false death
     */
    record Drop(String workerId, long at, long silentFor, boolean alive) {
    }

    private final QueueAdmin admin;
    private final Predicate<String> running;
    private final List<Drop> drops = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> longestSilence = new ConcurrentHashMap<>();
    private final Map<String, Long> listed = new HashMap<>(); // worker -> last heartbeat seen
    private final Thread thread;
    private volatile boolean watching = true;
    private volatile long countSilenceFrom;

    /** @param running whether a worker's process runs (it was started and not killed) */
    FleetWatch(QueueAdmin admin, Predicate<String> running) {
        this.admin = admin;
        this.running = running;
        this.thread = new Thread(this::watch, "chaos-fleet-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        while (watching) {
            try {
                look();
            }
            catch (RuntimeException ex) {
                // Redis is down (restarting): nothing to see
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    private void look() {
        List<WorkerInfo> workers = admin.workers();
        long now = System.currentTimeMillis();
        Map<String, Long> seen = new HashMap<>();
        for (WorkerInfo worker : workers) {
            seen.put(worker.id(), worker.lastHeartbeat());
            if (running.test(worker.id()) && worker.lastHeartbeat() >= countSilenceFrom) {
                longestSilence.merge(worker.id(), now - worker.lastHeartbeat(), Math::max);
            }
        }
        for (Map.Entry<String, Long> before : listed.entrySet()) {
            if (!seen.containsKey(before.getKey())) {
                drops.add(new Drop(before.getKey(), now, now - before.getValue(), running.test(before.getKey())));
            }
        }
        listed.clear();
        listed.putAll(seen);
    }

    /** Heartbeats from before {@code at} no longer count for silences: Redis was down until then. */
    void countSilenceFrom(long at) {
        countSilenceFrom = at;
    }

    List<Drop> drops() {
        synchronized (drops) {
            return List.copyOf(drops);
        }
    }

    /** The longest heartbeat silence seen of each worker while its process ran, in ms. */
    Map<String, Long> longestSilence() {
        return Map.copyOf(longestSilence);
    }

    @Override
    public void close() {
        watching = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.taskqueue.celery;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A worker as events and remote control see it, with the tasks and revocations a test sets and reads. */
final class FakeCeleryNode implements CeleryNode {

    final String nodename;
    final List<ActiveTask> active = new CopyOnWriteArrayList<>();
    /** Task id to whether its revocation asked to terminate. */
    final Map<String, Boolean> revoked = new ConcurrentHashMap<>();
    volatile long processed;
    volatile Map<String, Long> totals = Map.of();
    final Instant startedAt;

    FakeCeleryNode(String nodename, Instant startedAt) {
        this.nodename = nodename;
        this.startedAt = startedAt;
    }

    @Override
    public String nodename() {
        return nodename;
    }

    @Override
    public List<String> queues() {
        return List.of("celery", "java");
    }

    @Override
    public int concurrency() {
        return 8;
    }

    @Override
    public List<ActiveTask> active() {
        return List.copyOf(active);
    }

    @Override
    public long processed() {
        return processed;
    }

    @Override
    public Map<String, Long> totals() {
        return totals;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        revoked.put(taskId, terminate);
    }

    @Override
    public boolean isRevoked(String taskId) {
        return revoked.containsKey(taskId);
    }

    Set<String> revokedIds() {
        return Set.copyOf(revoked.keySet());
    }
}

package dev.taskqueue.worker;

/**
 * What this worker knows of its own liveness, from its heartbeats: since when they have succeeded without a gap
 * (on Redis's clock), and whether it has proven itself alive continuously since a given moment. A gap is a
 * failed heartbeat, or two successful ones further apart than {@code maxGap}: the process was paused (SIGSTOP,
 * a long GC pause, a suspended VM) or Redis was unreachable. Meanwhile the others may have judged this worker
 * dead and taken its tasks.
 * <ul>
 * <li>The {@link Janitor} judges other workers only once this worker's heartbeats have worked, without a gap, for
 * a whole liveness timeout: a worker back from a pause or an outage must not bury live peers whose heartbeats
 * have not come back yet.</li>
 * <li>The {@link Processor} starts a task claimed before a gap (or while heartbeats are overdue) only after Redis
 * confirms this worker still holds its lease.</li>
 * </ul>
 * Written by the heartbeat's thread, read by others. Local times come from {@link System#nanoTime()}, which keeps
 * counting while the process is paused.
 */
final class Liveness {

    private final long maxGapNanos;
    private final long maxGapMillis;
    private volatile long lastSuccessNanos;
    private volatile long lastBeatRedisMillis = -1;
    private volatile long healthySinceRedisMillis = -1;
    /** When heartbeats last came back after a gap (local); claims made before it are suspect. */
    private volatile long lastGapEndNanos;

    /**
     * @param maxGapMillis the longest time between two heartbeats that is not a gap (a heartbeat interval and a
     *        margin for the heartbeat's own round trip)
     */
    Liveness(long maxGapMillis) {
        this.maxGapMillis = maxGapMillis;
        this.maxGapNanos = maxGapMillis * 1_000_000;
        this.lastGapEndNanos = System.nanoTime();
        this.lastSuccessNanos = lastGapEndNanos - maxGapNanos - 1; // overdue until the first heartbeat
    }

    /** A heartbeat succeeded: Redis's clock read {@code redisMillis}. */
    void succeeded(long redisMillis) {
        long now = System.nanoTime();
        boolean gap = lastBeatRedisMillis < 0 || redisMillis - lastBeatRedisMillis > maxGapMillis
                || now - lastSuccessNanos > maxGapNanos;
        if (gap) {
            healthySinceRedisMillis = redisMillis;
            lastGapEndNanos = now;
        }
        lastBeatRedisMillis = redisMillis;
        lastSuccessNanos = now;
    }

    /** A heartbeat failed: this worker could not prove itself alive. */
    void failed() {
        lastBeatRedisMillis = -1;
        healthySinceRedisMillis = -1;
    }

    /**
     * For how long, on Redis's clock, heartbeats have succeeded without a gap up to now; negative when the last one
     * failed or is overdue (this worker cannot vouch for the present).
     */
    long healthyForMillis() {
        long since = healthySinceRedisMillis;
        long sinceLast = System.nanoTime() - lastSuccessNanos;
        if (since < 0 || sinceLast > maxGapNanos) {
            return -1;
        }
        return lastBeatRedisMillis - since + sinceLast / 1_000_000;
    }

    /**
     * Whether this worker has proven itself alive without a gap from {@code claimedAtNanos} until now: then no one
     * can have taken back what it claimed at that moment because it seemed dead.
     */
    boolean provenSince(long claimedAtNanos) {
        return System.nanoTime() - lastSuccessNanos <= maxGapNanos && lastGapEndNanos - claimedAtNanos < 0;
    }
}

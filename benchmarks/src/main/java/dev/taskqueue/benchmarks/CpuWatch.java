package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Measures what a stretch of a scenario costs in CPU: started where the measured work starts, read where it ends
 * ({@link #perTask}). Counted:
 * <ul>
 * <li>the JVMs doing the work: this benchmark JVM (every thread, GC included), and its child processes (worker
 * JVMs): the live ones from their {@code /proc/<pid>/stat}, the finished ones from this JVM's waited-for children's
 * time. The Redis server, when it is this JVM's child, is left out of both;</li>
 * <li>Redis: {@code INFO cpu} and {@code INFO commandstats} ({@link RedisCpu}).</li>
 * </ul>
 * The harness's own polling (of Redis, while it waits for the work to finish) is in both; it is small beside the
 * work measured. A process's CPU clock ticks every 10 ms on Linux ({@code getProcessCpuTime} reads {@code times()},
 * and {@code /proc} counts clock ticks too): a stretch must cost seconds of CPU to be read to a percent, as the
 * benchmark's sizes make them; at smoke sizes a short one can read 0.
 */
final class CpuWatch {

    private final RedisAdmin admin;
    private final long redisPid;
    private final @Nullable Long jvmNanosAtStart;
    private final @Nullable RedisCpu redisAtStart;

    private CpuWatch(RedisAdmin admin, long redisPid) {
        this.admin = admin;
        this.redisPid = redisPid;
        this.redisAtStart = redisCpu(admin);
        this.jvmNanosAtStart = jvmNanos(redisPid);
    }

    /** Starts watching, now. */
    static CpuWatch start(BenchRedis redis) {
        return new CpuWatch(redis.admin, redis.pid());
    }

    /** What was used since the start, per task of {@code tasks}. */
    CpuPerTask perTask(long tasks) {
        Long jvmNow = jvmNanos(redisPid);
        RedisCpu redisNow = redisCpu(admin);
        return CpuPerTask.of(tasks, jvmNanosAtStart == null || jvmNow == null ? null : jvmNow - jvmNanosAtStart,
                redisAtStart == null || redisNow == null ? null : redisNow.since(redisAtStart));
    }

    private static @Nullable RedisCpu redisCpu(RedisAdmin admin) {
        try {
            return admin.cpu();
        }
        catch (RuntimeException ex) {
            return null; // a Redis that refuses INFO: its CPU is unknown
        }
    }

    /**
     * CPU nanoseconds used so far by this JVM and its children (live or finished), Redis's left out; null when
     * children cannot be read (no {@code /proc}).
     */
    static @Nullable Long jvmNanos(long redisPid) {
        Set<Long> redis = redisPid < 0 ? Set.of() : ProcessHandle.of(redisPid)
                .map(h -> Stream.concat(Stream.of(h), h.descendants()).map(ProcessHandle::pid)
                        .collect(Collectors.toSet()))
                .orElse(Set.of());
        List<ProcessHandle> children = ProcessHandle.current().descendants().filter(p -> !redis.contains(p.pid()))
                .toList();
        long own = ownNanos();
        try {
            ProcessCpuTicks self = ProcessCpuTicks.parse(Files.readString(Path.of("/proc/self/stat")));
            long ticks = self.reapedChildren() + (own < 0 ? self.own() : 0);
            for (ProcessHandle child : children) {
                ticks += childTicks(child.pid());
            }
            return Math.max(0, own) + ProcessCpuTicks.ticksToNanos(ticks);
        }
        catch (IOException | RuntimeException ex) {
            return children.isEmpty() && own >= 0 ? own : null;
        }
    }

    /** This JVM's own CPU time, every thread's ({@code getProcessCpuTime}, in ns); -1 if the JVM cannot say. */
    private static long ownNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** A live child's time with its own finished children's; 0 if it has just exited (then it is counted above). */
    private static long childTicks(long pid) throws IOException {
        try {
            return ProcessCpuTicks.parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                    .withReapedChildren();
        }
        catch (NoSuchFileException ex) {
            return 0;
        }
    }
}

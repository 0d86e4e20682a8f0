package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * How busy the machine was with other work while a scenario ran, from Linux's {@code /proc}: all CPU time spent,
 * minus this JVM's (with its finished children: worker JVMs, redis-benchmark, a redis-server that was restarted),
 * minus the Redis server's (the one running at each sample). A figure above ~0.2 cores means another process
 * competed for the two cores and the figures are pessimistic. Elsewhere than Linux it reports nothing.
 */
final class CpuMeter {

    /** Half a second, in the usual 100 ticks per second. */
    private static final long MIN_TICKS = 50;

    private final LongSupplier redisPid;

    /** @param redisPid the Redis server's current process id, or -1 when it is not on this machine */
    CpuMeter(LongSupplier redisPid) {
        this.redisPid = redisPid;
    }

    /** CPU counters at one instant, in clock ticks; null when {@code /proc} cannot be read. */
    record Sample(long totalTicks, long busyTicks, long ownTicks, long redisTicks, int cpus) {
    }

    @Nullable Sample sample() {
        try {
            List<String> stat = Files.readAllLines(Path.of("/proc/stat"));
            String[] cpu = stat.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= Math.min(8, cpu.length - 1); i++) { // user .. steal; guest is inside user
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            int cpus = (int) stat.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
            long pid = redisPid.getAsLong();
            return new Sample(total, total - idle, processTicks("self", true),
                    pid < 0 ? 0 : processTicks(Long.toString(pid), false), Math.max(1, cpus));
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /** Cores busy with other processes between two samples, or null when unknown. */
    static @Nullable Double otherCores(@Nullable Sample before, @Nullable Sample after) {
        if (before == null || after == null || after.totalTicks() <= before.totalTicks()) {
            return null;
        }
        long elapsedPerCpu = (after.totalTicks() - before.totalTicks()) / after.cpus();
        if (elapsedPerCpu < MIN_TICKS) {
            return null; // too short to tell, at 100 ticks per second
        }
        long others = (after.busyTicks() - before.busyTicks()) - (after.ownTicks() - before.ownTicks())
                - (after.redisTicks() - before.redisTicks());
        return Math.max(0, (double) others / elapsedPerCpu);
    }

    /** utime + stime (+ cutime + cstime: children that were waited for) of a process. */
    private static long processTicks(String pid, boolean withChildren) throws IOException {
        ProcessCpuTicks ticks = ProcessCpuTicks.parse(Files.readString(Path.of("/proc", pid, "stat")));
        return withChildren ? ticks.withReapedChildren() : ticks.own();
    }

    /** The 1, 5 and 15 minute load averages, or null. */
    static @Nullable String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }
}

package dev.taskqueue.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JVM side of the CPU watch counts a child process's CPU, whether it still runs or has finished. */
class CpuWatchTest {

    /** A shell loop that burns CPU for about half a second on this kind of machine. */
    private static final String BURN = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";

    @Test
    @Timeout(60)
    void countsTheCpuOfAChildThatHasFinished() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
        Long before = CpuWatch.jvmNanos(-1);

        Process child = new ProcessBuilder("sh", "-c", BURN).start();
        assertThat(child.waitFor(50, TimeUnit.SECONDS)).isTrue();
        long childNanos = child.info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
        Thread.sleep(100); // the JDK waits for its children on a thread of its own

        Long after = CpuWatch.jvmNanos(-1);
        assertThat(before).isNotNull();
        assertThat(after).isNotNull();
        assertThat(after - before).isGreaterThanOrEqualTo(Math.max(childNanos, 100_000_000L));
    }

    @Test
    @Timeout(60)
    void countsTheCpuOfALiveChildButNotOfTheRedisServer() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
        Process child = new ProcessBuilder("sh", "-c", BURN + "; sleep 30").start();
        try {
            Long before = CpuWatch.jvmNanos(-1);
            Thread.sleep(1_500); // the loop runs meanwhile
            Long counted = CpuWatch.jvmNanos(-1);
            Long asRedis = CpuWatch.jvmNanos(child.pid());

            assertThat(counted - before).isGreaterThanOrEqualTo(100_000_000L);
            assertThat(counted - asRedis).isGreaterThanOrEqualTo(100_000_000L); // left out as if it were Redis
        }
        finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

package dev.taskqueue.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JIT compiler's time over a stretch of a warm-up, so that the warm-up goes on until the compiler is quiet and the
 * figures measure compiled code, not the compiler's work (on two cores, C2 compiling takes a core from what is
 * measured).
 */
final class JitWatch {

    /** A stretch in which the JIT compiler was busy for at most this share of its time was quiet. */
    static final int QUIET_COMPILING_PERCENT = 5;

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final long compiledAtStart;
    private final long startNanos = System.nanoTime();

    private JitWatch() {
        this.compiledAtStart = measurable() ? JIT.getTotalCompilationTime() : 0;
    }

    /** Starts watching a stretch of work. */
    static JitWatch start() {
        return new JitWatch();
    }

    /** Whether this JVM reports its compilation time; without it, a warm-up cannot tell when it is done. */
    static boolean measurable() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported();
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Milliseconds the compiler threads spent compiling since the start (0 when not measurable). */
    long compilingMillis() {
        return measurable() ? JIT.getTotalCompilationTime() - compiledAtStart : 0;
    }

    /** Whether the compiler was busy for at most {@value #QUIET_COMPILING_PERCENT}% of the stretch. */
    boolean quiet() {
        return compilingMillis() * 100 <= elapsedMillis() * QUIET_COMPILING_PERCENT;
    }
}

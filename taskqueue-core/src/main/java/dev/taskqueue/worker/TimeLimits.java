package dev.taskqueue.worker;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;

/**
 * Arms a run's time limits on the worker's timer thread: at the soft limit the task is told
 * ({@link dev.taskqueue.TaskContext#isSoftTimeLimitExceeded()}) and interrupted; at the hard limit the worker gives
 * up on it ({@code onHardLimit}: the {@link Processor} records its failure and frees its slot; the
 * {@link InlineWorker} interrupts it, and fails it when it returns).
 */
final class TimeLimits {

    private static final Logger log = Processor.RUN_LOG;

    private final ScheduledExecutorService timers;
    private final BiConsumer<Run, Duration> onHardLimit;

    TimeLimits(ScheduledExecutorService timers, BiConsumer<Run, Duration> onHardLimit) {
        this.timers = timers;
        this.onHardLimit = onHardLimit;
    }

    /** The timer thread, which also sends delayed progress reports. */
    ScheduledExecutorService timers() {
        return timers;
    }

    /** Arms the soft limit (interrupt) and the hard limit (give up on the run), those the run's policies set. */
    void arm(Run run, RunContext context) {
        Duration soft = run.policies().softTimeLimit();
        if (soft != null) {
            run.softTimer = timers.schedule(() -> {
                synchronized (run) { // an inline run finishes under this lock: no interrupt reaches its caller after
                    if (!run.finished.get()) {
                        context.softLimitExceeded = true;
                        log.warn("Task {} [{}] passed its soft time limit of {}: interrupting it", run.task().name(),
                                run.delivery.taskId(), soft);
                        run.interrupt();
                    }
                }
            }, soft.toMillis(), TimeUnit.MILLISECONDS);
        }
        Duration hard = run.policies().hardTimeLimit();
        if (hard != null) {
            run.hardTimer = timers.schedule(() -> onHardLimit.accept(run, hard), hard.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }
}

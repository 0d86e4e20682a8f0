package dev.taskqueue.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of every thread of a worker ({@link TaskThreads} sets it on each): what happens when one of them meets
 * an error after which the worker can no longer be trusted to finish tasks.
 * <ol>
 * <li>Which errors: a {@linkplain #isFatal fatal} one ({@link OutOfMemoryError} and the JVM's other
 * {@link VirtualMachineError}s) in any thread, a task's included; and any error that ends the thread of one of the
 * worker's parts (fetcher, acker, heartbeat...): the worker has lost that part. Not a {@link StackOverflowError} in a
 * task: the task's own recursion causes it, and it fails only that task.</li>
 * <li>The first one {@linkplain Worker halts the worker}: it stops heartbeating and claiming at once, without a word
 * to Redis (after such an error the state of its connections is unknown), so that other workers take its tasks
 * within the liveness timeout, as if it had died. Later ones are only logged.</li>
 * <li>Then, as {@link WorkerSettings#onFatalError()} says, the application goes on without this worker
 * ({@link WorkerSettings.OnFatalError#STOP}), or the JVM exits with {@value #EXIT_STATUS}
 * ({@link WorkerSettings.OnFatalError#EXIT}), for its supervisor to start it again.</li>
 * </ol>
 * Without this, an {@code OutOfMemoryError} that ended the acker's thread left a worker that heartbeat on and held
 * its claimed tasks, which no one else ever ran.
 */
final class FatalErrors implements Thread.UncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(FatalErrors.class);

    /** The exit status after a fatal error: EX_SOFTWARE ("internal software error") of sysexits.h. */
    static final int EXIT_STATUS = 70;

    /**
     * How long the JVM's shutdown hooks (closing the Spring context) may take before the JVM is halted: a JVM out of
     * memory may hang in them, and being started again matters more than a clean close.
     */
    static final Duration EXIT_GRACE = Duration.ofSeconds(10);

    private final String workerId;
    private final BiConsumer<Thread, Throwable> halt;
    private final WorkerSettings.OnFatalError then;
    private final AtomicBoolean met = new AtomicBoolean();

    /** @param halt stops the worker's parts (never calling Redis) */
    FatalErrors(String workerId, WorkerSettings.OnFatalError then, BiConsumer<Thread, Throwable> halt) {
        this.workerId = workerId;
        this.then = then;
        this.halt = halt;
    }

    /** Whether a worker that met this error anywhere can no longer be trusted to finish tasks. */
    static boolean isFatal(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }

    /** Whether this worker met a fatal error. */
    boolean met() {
        return met.get();
    }

    /** A thread of the worker ended by {@code error}: the worker halts (once), then the JVM exits if so configured. */
    @Override
    public void uncaughtException(Thread thread, Throwable error) {
        if (!met.compareAndSet(false, true)) {
            logQuietly("Worker {}: thread {} also ended with {}", thread, error);
            return;
        }
        try {
            halt.accept(thread, error); // first: whatever else fails below, the worker no longer claims nor beats
        }
        finally {
            logQuietly("Worker {} stopped claiming and heartbeating: thread {} ended with {}. Its tasks run again on "
                    + "other workers once it is seen dead (liveness timeout); " + (then == WorkerSettings.OnFatalError.EXIT
                    ? "the JVM exits with status " + EXIT_STATUS + " (taskqueue.worker.on-fatal-error=exit)"
                    : "the application goes on without it (taskqueue.worker.on-fatal-error=stop): restart it"), thread,
                    error);
            if (then == WorkerSettings.OnFatalError.EXIT) {
                exit();
            }
        }
    }

    /** Logs unless logging itself fails (it may, out of memory): the worker must halt whatever happens. */
    private void logQuietly(String message, Thread thread, Throwable error) {
        try {
            log.error(message, workerId, thread.getName(), error.toString(), error);
        }
        catch (Throwable ignored) {
            // nothing more can be said
        }
    }

    /**
     * {@code System.exit} on a thread of its own (it never returns, and the shutdown hooks it runs may wait for the
     * thread that called it), and {@code Runtime.halt} after {@link #EXIT_GRACE} if the hooks hang, or at once if no
     * thread can be started.
     */
    private static void exit() {
        try {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(EXIT_GRACE.toMillis());
                }
                catch (InterruptedException ex) {
                    // halt all the same
                }
                Runtime.getRuntime().halt(EXIT_STATUS);
            }, "taskqueue-exit-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            new Thread(() -> System.exit(EXIT_STATUS), "taskqueue-exit").start();
        }
        catch (Throwable cannotExitCleanly) {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}

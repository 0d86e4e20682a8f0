package dev.taskqueue.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * The platform threads tasks run on when they do not run on virtual threads (Java 17, or turned off): a thread for
 * every task that waits, started or woken on demand, that wakes as few parked threads as it can. The worker's slots
 * bound how many tasks run at once, so the pool needs no bound of its own (a thread stuck past a hard time limit
 * simply means one more thread, as a virtual thread would).
 * <p>
 * After the schedulers of Go and Tokio, at most one thread is <em>searching</em> at a time: awake, holding no task,
 * on its way to the queue.
 * <ol>
 * <li>A task handed over waits in one queue. If no thread is searching, the most recently parked thread is woken to
 * search, or a new one started.</li>
 * <li>A searching thread takes the task at the head of the queue. If tasks remain and no other thread is searching, it
 * wakes one more before it runs its own: every waiting task has a searching thread on its way, so none waits behind a
 * task that is running, however long that one takes.</li>
 * <li>A thread that finishes a task takes the next one without waking anyone; when the queue is empty it parks, on top
 * of the stack of parked threads.</li>
 * <li>A thread parked for {@code keepAliveNanos} ends. The stack wakes from its top, so the threads left unused are
 * the ones that end.</li>
 * </ol>
 * Why not a {@link java.util.concurrent.ThreadPoolExecutor}: its queue wakes a parked thread for every task it is handed
 * while any is parked, and each thread that takes one wakes the next, so 50 short tasks claimed together wake about 50
 * threads, and the drain of no-op tasks spent most of its task threads' time in the kernel's scheduler. Why not a
 * {@link java.util.concurrent.ForkJoinPool}: its threads take tasks the same way, but on Java 25 a task that was
 * handed over while others blocked waited seconds for a thread.
 */
final class TaskThreadPool extends AbstractExecutorService {

    private final String namePrefix;
    private final Thread.UncaughtExceptionHandler onError;
    private final long keepAliveNanos;
    private final AtomicLong created = new AtomicLong();

    private final Object lock = new Object();
    // Guarded by lock:
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final ArrayDeque<PoolThread> parked = new ArrayDeque<>();
    private final Set<PoolThread> threads = new HashSet<>();
    private int searching;
    private long wakeUps;
    private volatile boolean shutdown; // read without the lock before each task

    /**
     * @param namePrefix each thread's name, followed by a number
     * @param onError the handler of an error that ends a thread (one that escapes a task)
     * @param keepAliveNanos how long a thread stays parked before it ends
     */
    TaskThreadPool(String namePrefix, Thread.UncaughtExceptionHandler onError, long keepAliveNanos) {
        this.namePrefix = namePrefix;
        this.onError = onError;
        this.keepAliveNanos = keepAliveNanos;
    }

    @Override
    public void execute(Runnable task) {
        boolean noneSearching;
        PoolThread toWake = null;
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("The task threads " + namePrefix + "* are shut down");
            }
            queue.addLast(task);
            noneSearching = searching == 0;
            if (noneSearching) {
                toWake = addSearcher();
            }
        }
        if (noneSearching) {
            startSearcher(toWake);
        }
    }

    /** Under the lock: counts one more searching thread, and takes the parked one to wake (none: start one). */
    private @Nullable PoolThread addSearcher() {
        searching++;
        wakeUps++;
        PoolThread toWake = parked.pollFirst();
        if (toWake != null) {
            toWake.woken = true;
        }
        return toWake;
    }

    /** Outside the lock: wakes the thread {@link #addSearcher} took, or starts a new one. */
    private void startSearcher(@Nullable PoolThread toWake) {
        if (toWake != null) {
            LockSupport.unpark(toWake.thread);
            return;
        }
        PoolThread thread = new PoolThread();
        try {
            synchronized (lock) {
                threads.add(thread);
            }
            thread.thread.start();
        }
        catch (RuntimeException | Error ex) {
            synchronized (lock) {
                threads.remove(thread);
                searching--; // no searcher after all: the next thread to finish a task still takes the queue's head
            }
            throw ex;
        }
    }

    /** One thread of the pool: searches, runs, parks, and ends after {@link #keepAliveNanos} parked. */
    private final class PoolThread implements Runnable {

        final Thread thread = TaskThreads.daemon(namePrefix + created.getAndIncrement(), this, onError);

        /** Set, under the lock, when taken off the stack of parked threads to search. */
        volatile boolean woken;

        @Override
        public void run() {
            try {
                boolean isSearching = true; // started to search
                while (true) {
                    Runnable task;
                    boolean wakeAnother = false;
                    PoolThread toWake = null;
                    synchronized (lock) {
                        task = queue.pollFirst();
                        if (isSearching) {
                            searching--;
                        }
                        if (task == null) {
                            if (shutdown) {
                                return;
                            }
                            woken = false;
                            parked.addFirst(this);
                        }
                        else if (isSearching && searching == 0 && !queue.isEmpty()) {
                            wakeAnother = true;
                            toWake = addSearcher();
                        }
                    }
                    if (task == null) {
                        if (!awaitWake()) {
                            return;
                        }
                        isSearching = true;
                        continue;
                    }
                    isSearching = false;
                    if (wakeAnother) {
                        try {
                            startSearcher(toWake);
                        }
                        catch (RuntimeException | Error ex) {
                            onError.uncaughtException(thread, ex); // and the task it took still runs
                        }
                    }
                    if (!shutdown) {
                        Thread.interrupted(); // an interrupt meant for this thread's previous task
                    }
                    task.run();
                }
            }
            finally {
                synchronized (lock) {
                    threads.remove(this);
                    parked.remove(this);
                    lock.notifyAll(); // for awaitTermination
                }
            }
        }

        /** Parks until woken to search (true), or until it has been parked too long (false: the thread ends). */
        private boolean awaitWake() {
            long deadline = System.nanoTime() + keepAliveNanos;
            while (!woken) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    synchronized (lock) {
                        if (!woken) {
                            parked.remove(this);
                            return false;
                        }
                    }
                    break;
                }
                LockSupport.parkNanos(this, left);
                Thread.interrupted(); // a late interrupt for its last task; shutting down wakes it instead
            }
            return true;
        }
    }

    /** How many times a thread was woken or started to search. */
    long wakeUps() {
        synchronized (lock) {
            return wakeUps;
        }
    }

    @Override
    public void shutdown() {
        List<PoolThread> toWake;
        synchronized (lock) {
            shutdown = true;
            toWake = new ArrayList<>(parked);
            parked.clear();
            toWake.forEach(thread -> thread.woken = true);
        }
        toWake.forEach(thread -> LockSupport.unpark(thread.thread));
    }

    /** Stops: the tasks not started are dropped and returned, the running ones interrupted. */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> notStarted;
        List<PoolThread> running;
        synchronized (lock) {
            notStarted = new ArrayList<>(queue);
            queue.clear();
            running = new ArrayList<>(threads);
        }
        shutdown();
        running.forEach(thread -> thread.thread.interrupt());
        return notStarted;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && threads.isEmpty();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (!(shutdown && threads.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }
}

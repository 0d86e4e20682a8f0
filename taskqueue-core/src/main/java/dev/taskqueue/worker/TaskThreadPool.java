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

/**
 * The platform threads tasks run on when they do not run on virtual threads (Java 17, or turned off): a thread for
 * each task that runs, started or woken on demand, waking as few parked threads as it can. The worker's slots
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
    // Written under the lock, read without it:
    private volatile boolean shutdown;
    private volatile boolean stopped; // by shutdownNow, before it interrupts the threads

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
        PoolThread searcher = null;
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("The task threads " + namePrefix + "* are shut down");
            }
            queue.addLast(task);
            if (searching == 0) {
                searcher = addSearcher();
            }
        }
        if (searcher != null) {
            try {
                setGoing(searcher);
            }
            catch (RuntimeException | Error ex) {
                synchronized (lock) {
                    queue.removeLastOccurrence(task); // not taken: the caller sees it refused
                }
                throw ex;
            }
        }
    }

    /**
     * Under the lock: one more searching thread, the most recently parked one, or else a new one (registered, so that
     * the pool does not look terminated before it runs). {@link #setGoing} it once out of the lock.
     */
    private PoolThread addSearcher() {
        PoolThread searcher = parked.pollFirst();
        if (searcher == null) {
            searcher = new PoolThread();
            threads.add(searcher);
        }
        searcher.woken = true;
        searching++;
        wakeUps++;
        return searcher;
    }

    /**
     * Out of the lock: wakes the searcher {@link #addSearcher} took, or starts it. If it cannot start, the search
     * passes to a parked thread while tasks wait (else the next task handed over or finished takes the queue's head).
     */
    private void setGoing(PoolThread searcher) {
        if (searcher.thread.getState() != Thread.State.NEW) {
            LockSupport.unpark(searcher.thread);
            return;
        }
        try {
            searcher.thread.start();
        }
        catch (RuntimeException | Error ex) {
            PoolThread instead = null;
            synchronized (lock) {
                threads.remove(searcher);
                searching--;
                if (searching == 0 && !queue.isEmpty() && !parked.isEmpty()) {
                    instead = addSearcher();
                }
                lock.notifyAll(); // for awaitTermination
            }
            if (instead != null) {
                LockSupport.unpark(instead.thread);
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
                    PoolThread another = null;
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
                            another = addSearcher();
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
                    if (another != null) {
                        try {
                            setGoing(another);
                        }
                        catch (RuntimeException | Error ex) {
                            onError.uncaughtException(thread, ex); // and the task it took still runs
                        }
                    }
                    Thread.interrupted(); // an interrupt meant for this thread's previous task
                    if (stopped) {
                        thread.interrupt(); // shutdownNow's, which that may have cleared
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

    /** Takes no more tasks; those handed over still run, and then the threads end. */
    @Override
    public void shutdown() {
        List<PoolThread> toWake;
        synchronized (lock) {
            toWake = shutDown();
        }
        toWake.forEach(thread -> LockSupport.unpark(thread.thread));
    }

    /** Stops: the tasks not started are dropped and returned, the running ones interrupted. */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> notStarted;
        List<PoolThread> toWake;
        List<PoolThread> all;
        synchronized (lock) {
            stopped = true;
            notStarted = new ArrayList<>(queue);
            queue.clear();
            toWake = shutDown();
            all = new ArrayList<>(threads);
        }
        toWake.forEach(thread -> LockSupport.unpark(thread.thread));
        all.forEach(thread -> thread.thread.interrupt());
        return notStarted;
    }

    /** Under the lock: refuses tasks from now on, and takes the parked threads to wake (as searchers, to end). */
    private List<PoolThread> shutDown() {
        shutdown = true;
        List<PoolThread> toWake = new ArrayList<>(parked);
        parked.clear();
        toWake.forEach(thread -> thread.woken = true);
        searching += toWake.size();
        return toWake;
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

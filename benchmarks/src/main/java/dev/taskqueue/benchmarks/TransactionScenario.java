package dev.taskqueue.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.autoconfigure.transaction.SpringSubmitTransactions;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxDialect;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.OutboxSentTracker;
import dev.taskqueue.outbox.OutboxSubmissions;
import dev.taskqueue.outbox.OutboxTable;
import dev.taskqueue.outbox.RowSender;
import dev.taskqueue.outbox.SubmissionRows;
import dev.taskqueue.outbox.schema.ScriptOutboxMigration;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Transactions that each insert one row and submit one no-op task, from client threads back to back, on an
 * in-memory H2 ({@link BenchDatabase}); no worker runs. The submits go through the classes the auto-configuration
 * wires ({@link SpringSubmitTransactions}, and for the outbox {@link OutboxSubmissions}, {@link OutboxRelay},
 * {@link SubmissionRows}), built by hand as the other scenarios build the engine:
 * <ul>
 * <li>{@code tx-after-commit}: the task is written to Redis in the committing thread, after the database commit and
 * before {@code commit} returns, so commit → task in Redis is 0 by construction; the commit's own duration is
 * reported instead;</li>
 * <li>{@code tx-outbox}: the task is one row of the outbox, inserted just before the commit; the relay thread, woken
 * by the commit, moves it to Redis: commit → task in Redis is the time from the end of the commit to the task's
 * {@code sent()} completing.</li>
 * </ul>
 * The rate counts from the first transaction to the last task in Redis. A warm-up of a quarter as many transactions
 * runs first, unmeasured.
 */
final class TransactionScenario extends Scenario {

    private final TransactionMode mode;

    /**
     * @param mode {@link TransactionMode#AFTER_COMMIT} or {@link TransactionMode#OUTBOX}
     */
    TransactionScenario(TransactionMode mode) {
        super(mode == TransactionMode.OUTBOX ? "tx-outbox" : "tx-after-commit", mode == TransactionMode.OUTBOX
                ? "client threads each run transactions that insert a row and submit a task through the outbox (H2)"
                : "client threads each run transactions that insert a row and submit a task after commit (H2)");
        this.mode = mode;
    }

    /** Transactions per second of the paced phase, in all threads together. */
    private static final int PACED_RATE = 1_000;

    /** The transactions measured: a quarter of the threaded submits' tasks (each costs a database commit too). */
    private static int transactions(Sizes sizes) {
        return Math.max(50, sizes.singleSubmitTasks() / 4);
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(60 + transactions(sizes) / 400);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        int total = transactions(bench.sizes);
        int threads = bench.sizes.submitThreads();
        try (Engine engine = bench.engine(); BenchDatabase db = new BenchDatabase(threads + 2)) {
            SubmissionSender sender = engine.submissionSender();
            Outbox outbox = mode == TransactionMode.OUTBOX ? new Outbox(db.dataSource, engine, sender) : null;
            TaskClient client = engine.clientWith(new SpringSubmitTransactions(mode, sender,
                    outbox == null ? null : outbox.submissions));
            try {
                transact(db, client, Math.max(10, total / 4), threads, deadline, 0);
                // The relay stands still while the counts start again, so that no round is counted half.
                if (outbox != null) {
                    outbox.relay.stop(Duration.ofSeconds(5));
                    outbox.store.resetCounts();
                }
                db.resetCounts();
                if (outbox != null) {
                    outbox.relay.start();
                }
                CpuWatch cpu = bench.cpuWatch();
                Load load = transact(db, client, total, threads, deadline, 0);
                CpuPerTask used = cpu.perTask(load.transactions());
                if (outbox != null) {
                    outbox.relay.stop(Duration.ofSeconds(5));
                }
                report(load, used, db, outbox, threads, out);
                if (outbox != null) {
                    outbox.relay.start();
                }
                // Back to back, the threads commit faster than one relay drains, and commit -> Redis measures the
                // backlog; at a steady rate below that, it measures the path itself.
                Load paced = transact(db, client, Math.max(10, Math.min(total / 4, PACED_RATE * 4)), threads,
                        deadline, threads * 1_000_000_000L / PACED_RATE);
                reportPaced(paced, outbox == null, out);
            }
            finally {
                if (outbox != null) {
                    outbox.relay.stop(Duration.ofSeconds(5));
                }
            }
        }
    }

    private void report(Load load, CpuPerTask used, BenchDatabase db, @Nullable Outbox outbox, int threads,
            Findings out) {
        boolean afterCommit = outbox == null;
        // Labels fit the table's 48 columns; the scenario's Javadoc and benchmarks/README.md say the rest.
        out.add(Figure.rate("tx.rate", "transactions/s, " + threads + " threads, to last in Redis",
                load.transactions() * 1e9 / load.nanos()).cpu(used));
        String commit = afterCommit ? "commit incl. Redis write (commit->Redis: 0)" : "commit incl. outbox insert";
        out.add(Figure.millis("tx.commit.p50", commit + " p50", ms(load.commits().getValueAtPercentile(50))));
        out.add(Figure.millis("tx.commit.p99", commit + " p99", ms(load.commits().getValueAtPercentile(99))));
        if (afterCommit) {
            out.note("After commit, the task is written to Redis inside commit(), in the committing thread: commit -> "
                    + "task in Redis is 0 by construction, so the commit's own duration (its Redis write included) is "
                    + "reported instead");
        }
        else {
            out.add(Figure.millis("tx.redis.p50", "commit end -> task in Redis (sent()) p50",
                    ms(load.sentAfterCommit().getValueAtPercentile(50))));
            out.add(Figure.millis("tx.redis.p99", "commit end -> task in Redis (sent()) p99",
                    ms(load.sentAfterCommit().getValueAtPercentile(99))));
            long rounds = outbox.store.roundsWithRows();
            out.add(Figure.count("tx.relay.rounds", "relay rounds that took rows", rounds));
            out.add(Figure.of("tx.relay.rows", "rows (transactions) per relay round", outbox.store.rowsTaken()
                    / (double) Math.max(1, rounds), Figure.Unit.RATIO));
            out.add(Figure.of("tx.relay.statements", "DB statements per relay round (commit aside)",
                    db.relayStatements() / (double) Math.max(1, outbox.store.rounds()), Figure.Unit.RATIO));
            out.add(Figure.millis("tx.relay.round.p50", "relay round that took rows, p50",
                    ms(outbox.store.durations().getValueAtPercentile(50))));
            out.add(Figure.millis("tx.relay.round.max", "relay round that took rows, max",
                    ms(outbox.store.durations().getMaxValue())));
            out.note("The relay ran " + outbox.store.rounds() + " rounds (" + (outbox.store.rounds() - rounds)
                    + " found no row) and prepared " + db.relayStatements() + " statements on its thread (counted "
                    + "by the pool's DataSource; a statement run as a batch counts once, commits are not counted)");
        }
        out.add(Figure.of("tx.statements", "DB statements per transaction (commit aside)",
                db.applicationStatements() / (double) Math.max(1, load.transactions()), Figure.Unit.RATIO));
        if (load.notSent() > 0) {
            throw new Failed(load.notSent() + " committed transactions' tasks were not sent (their sent() failed)");
        }
    }

    private static void reportPaced(Load paced, boolean afterCommit, Findings out) {
        String at = " at " + PACED_RATE + " tx/s";
        if (afterCommit) {
            out.add(Figure.millis("tx.paced.commit.p50", "commit incl. Redis write" + at + " p50",
                    ms(paced.commits().getValueAtPercentile(50))));
            out.add(Figure.millis("tx.paced.commit.p99", "commit incl. Redis write" + at + " p99",
                    ms(paced.commits().getValueAtPercentile(99))));
        }
        else {
            out.add(Figure.millis("tx.paced.redis.p50", "commit end -> task in Redis" + at + " p50",
                    ms(paced.sentAfterCommit().getValueAtPercentile(50))));
            out.add(Figure.millis("tx.paced.redis.p99", "commit end -> task in Redis" + at + " p99",
                    ms(paced.sentAfterCommit().getValueAtPercentile(99))));
        }
    }

    /**
     * Runs {@code total} transactions from {@code threads} threads, back to back ({@code intervalNanos} 0) or each
     * thread starting one every {@code intervalNanos}, and waits until every task is in Redis.
     */
    private static Load transact(BenchDatabase db, TaskClient client, int total, int threads, Deadline deadline,
            long intervalNanos) throws Exception {
        Histogram commits = new ConcurrentHistogram(3);
        Histogram sentAfterCommit = new ConcurrentHistogram(3);
        AtomicInteger left = new AtomicInteger(total);
        LongAdder committed = new LongAdder();
        LongAdder settled = new LongAdder();
        LongAdder notSent = new LongAdder();
        AtomicLong lastSent = new AtomicLong(Long.MIN_VALUE);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    long next = System.nanoTime() + intervalNanos * thread / Math.max(1, threads);
                    while (left.getAndDecrement() > 0 && !deadline.passed()) {
                        if (intervalNanos > 0) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            next += intervalNanos;
                        }
                        long[] workDone = new long[1];
                        TaskHandle<?> handle = db.transactions.execute(status -> {
                            db.jdbc.update("INSERT INTO bench_orders (thread) VALUES (?)", thread);
                            TaskHandle<?> submitted = client.submit(BenchTasks::noop);
                            workDone[0] = System.nanoTime();
                            return submitted;
                        });
                        long commitEnd = System.nanoTime();
                        commits.recordValue(commitEnd - workDone[0]);
                        committed.increment();
                        handle.sent().whenComplete((ok, error) -> {
                            long now = System.nanoTime();
                            if (error == null) {
                                sentAfterCommit.recordValue(Math.max(0, now - commitEnd));
                            }
                            else {
                                notSent.increment();
                            }
                            lastSent.accumulateAndGet(now, Math::max);
                            settled.increment();
                        });
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            deadline.check("running " + total + " transactions from " + threads + " threads");
            deadline.await(() -> settled.sum() >= committed.sum(), 1, "waiting for every committed task to reach "
                    + "Redis (" + settled.sum() + " of " + committed.sum() + ")");
        }
        finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        return new Load(committed.sum(), lastSent.get() - start, commits, sentAfterCommit, notSent.sum());
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * What a run of transactions measured.
     *
     * @param nanos from the first transaction's start to the last task in Redis
     * @param commits each commit's duration
     * @param sentAfterCommit from the end of each commit to its task's {@code sent()} completing
     */
    private record Load(long transactions, long nanos, Histogram commits, Histogram sentAfterCommit, long notSent) {
    }

    /** The outbox on the scenario's database, as the auto-configuration wires it, with its relay running. */
    private static final class Outbox {

        final CountingStore store;
        final OutboxRelay relay;
        final OutboxSubmissions submissions;

        Outbox(DataSource dataSource, Engine engine, SubmissionSender sender) {
            OutboxTable table = new OutboxTable(OutboxTable.DEFAULT_NAME, OutboxDialect.H2);
            new ScriptOutboxMigration().migrate(dataSource, table);
            store = new CountingStore(dataSource, table);
            OutboxSentTracker tracker = new OutboxSentTracker(engine.results(), Clock.systemUTC());
            relay = new OutboxRelay(store, new SubmissionRows(sender, tracker), OutboxRelay.DEFAULT_BATCH_SIZE,
                    OutboxRelay.DEFAULT_POLL_INTERVAL);
            submissions = new OutboxSubmissions(dataSource, store, tracker, relay::wake);
            relay.start();
        }
    }

    /** The outbox's store, counting the relay's rounds and the rows they took. */
    private static final class CountingStore extends JdbcOutboxStore {

        private final LongAdder rounds = new LongAdder();
        private final LongAdder roundsWithRows = new LongAdder();
        private final LongAdder rows = new LongAdder();
        private final Histogram durations = new ConcurrentHistogram(3);

        CountingStore(DataSource dataSource, OutboxTable table) {
            super(dataSource, table);
        }

        @Override
        public int relayRound(int max, RowSender sender) {
            long start = System.nanoTime();
            int taken = super.relayRound(max, sender);
            rounds.increment();
            if (taken > 0) {
                roundsWithRows.increment();
                rows.add(taken);
                durations.recordValue(System.nanoTime() - start);
            }
            return taken;
        }

        /** How long the rounds that took rows lasted, each from its start to its commit. */
        Histogram durations() {
            return durations;
        }

        long rounds() {
            return rounds.sum();
        }

        long roundsWithRows() {
            return roundsWithRows.sum();
        }

        long rowsTaken() {
            return rows.sum();
        }

        void resetCounts() {
            rounds.reset();
            roundsWithRows.reset();
            rows.reset();
            durations.reset();
        }
    }
}

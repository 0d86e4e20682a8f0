package dev.taskqueue.policies;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Concurrency;
import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TimeLimit;
import dev.taskqueue.Unique;
import org.slf4j.MDC;

/** Tasks that exercise the execution policies. Each instance counts its own runs. */
public class PolicyTasks {

    public final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    public final Map<String, List<Long>> startTimes = new ConcurrentHashMap<>();
    public final AtomicInteger running = new AtomicInteger();
    public final AtomicInteger maxRunning = new AtomicInteger();
    public final Map<String, AtomicInteger> runningByKey = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> maxRunningByKey = new ConcurrentHashMap<>();
    public volatile CountDownLatch gate = new CountDownLatch(0);
    public final List<String> seen = new CopyOnWriteArrayList<>();

    private int count(String key) {
        startTimes.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
        return runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    public int runsOf(String key) {
        AtomicInteger n = runs.get(key);
        return n == null ? 0 : n.get();
    }

    @Task(name = "policy.flaky", retry = @Retry(maxRetries = 3, delay = "150ms", multiplier = 2))
    public String flaky(String key, int failures) {
        if (count(key) <= failures) {
            throw new IllegalStateException("attempt " + runsOf(key) + " of " + key + " fails");
        }
        return key + " after " + runsOf(key);
    }

    @Task(name = "policy.io", retry = @Retry(maxRetries = 3, delay = "50ms", includes = IOException.class))
    public String io(String key, boolean io) throws IOException {
        count(key);
        if (io) {
            throw new IOException("connection reset");
        }
        throw new IllegalArgumentException("bad input");
    }

    @Task(name = "policy.alwaysFails", retry = @Retry(maxRetries = 2, delay = "50ms", multiplier = 1))
    public String alwaysFails(String key) {
        count(key);
        throw new IllegalStateException("always");
    }

    @Task(name = "policy.noRetryDeclared")
    public String noRetryDeclared(String key) {
        count(key);
        throw new IllegalStateException("fails once");
    }

    @Task(name = "policy.requestsRetry")
    public String requestsRetry(String key) {
        if (count(key) == 1) {
            throw TaskContext.current().retry(Duration.ofMillis(100));
        }
        return "attempt " + TaskContext.current().attempt();
    }

    @Task(name = "policy.soft", timeLimit = @TimeLimit(soft = "300ms"))
    public String soft(String key, boolean cleanUp) throws InterruptedException {
        count(key);
        try {
            Thread.sleep(5_000);
            return "slept";
        }
        catch (InterruptedException ex) {
            if (cleanUp && TaskContext.current().isSoftTimeLimitExceeded()) {
                return "cleaned up";
            }
            throw ex;
        }
    }

    /** Ignores interrupts (a busy loop, bounded to 4 s so that the test JVM does not keep it forever). */
    @Task(name = "policy.stuck", timeLimit = @TimeLimit(hard = "500ms"))
    public String stuck(String key) {
        count(key);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500); // past its 500 ms limit
        long spins = 0;
        while (System.nanoTime() < until) {
            spins++;
        }
        return key + spins;
    }

    @Task(name = "policy.quick")
    public String quick(String key) {
        count(key);
        return key;
    }

    @Task(name = "policy.rated", rateLimit = "10/s")
    public String rated(String key) {
        count(key);
        return key;
    }

    @Task(name = "policy.limited", concurrency = @Concurrency(limit = 2))
    public String limited(String key) throws InterruptedException {
        count(key);
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(200);
            return key;
        }
        finally {
            running.decrementAndGet();
        }
    }

    @Task(name = "policy.perCustomer", concurrency = @Concurrency(limit = 1, key = "#customer"))
    public String perCustomer(String customer, int n) throws InterruptedException {
        count(customer + n);
        int now = runningByKey.computeIfAbsent(customer, k -> new AtomicInteger()).incrementAndGet();
        maxRunningByKey.computeIfAbsent(customer, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        int all = running.incrementAndGet();
        maxRunning.accumulateAndGet(all, Math::max);
        try {
            Thread.sleep(200);
            return customer + n;
        }
        finally {
            runningByKey.get(customer).decrementAndGet();
            running.decrementAndGet();
        }
    }

    @Task(name = "policy.uniqueOrder", unique = @Unique(key = "#orderId"))
    public String uniqueOrder(String orderId, int version) throws InterruptedException {
        count(orderId + ":" + version);
        gate.await(30, TimeUnit.SECONDS);
        return orderId + ":" + version;
    }

    @Task(name = "policy.tenantOrder", unique = @Unique(key = "#tenant:#orderId"))
    public String tenantOrder(String tenant, String orderId) {
        count(tenant + "/" + orderId);
        return tenant + "/" + orderId;
    }

    @Task(name = "policy.uniqueValue", unique = @Unique(key = "#value"))
    public String uniqueValue(Object value) {
        return String.valueOf(value);
    }

    @Task(name = "policy.tenantLimited", concurrency = @Concurrency(limit = 1, key = "#tenant:#orderId"))
    public String tenantLimited(String tenant, String orderId) throws InterruptedException {
        count(tenant + "/" + orderId);
        running.incrementAndGet();
        try {
            gate.await(30, TimeUnit.SECONDS);
            return tenant + "/" + orderId;
        }
        finally {
            running.decrementAndGet();
        }
    }

    /** Fire-and-forget, yet unique per order and one at a time per tenant. */
    @Task(name = "policy.fireAndForgetLimited", ignoreResult = true, unique = @Unique(key = "#orderId"),
            concurrency = @Concurrency(limit = 1, key = "#tenant"))
    public void fireAndForgetLimited(String tenant, String orderId) {
        count(tenant + "/" + orderId);
    }

    @Task(name = "policy.uniqueWindow", unique = @Unique(key = "#key", mode = Unique.Mode.WINDOW, window = "3s"))
    public String uniqueWindow(String key) {
        count(key);
        return key;
    }

    @Task(name = "policy.debounced", unique = @Unique(key = "#productId", mode = Unique.Mode.DEBOUNCE,
            window = "300ms"))
    public String debounced(String productId, int version) {
        count(productId + ":" + version);
        return productId + ":" + version;
    }

    @Task(name = "policy.progress")
    public String progress(String key) throws InterruptedException {
        count(key);
        TaskContext.current().progress(0.5, "half way");
        gate.await(30, TimeUnit.SECONDS);
        return key;
    }

    @Task(name = "policy.gated")
    public String gated(String key) throws InterruptedException {
        count(key);
        running.incrementAndGet();
        try {
            gate.await(30, TimeUnit.SECONDS);
            return key;
        }
        finally {
            running.decrementAndGet();
        }
    }

    /** Keys whose run saw {@link TaskContext#isRevoked()} turn true while it waited at the gate. */
    public final List<String> revokedSeen = new CopyOnWriteArrayList<>();

    /** Waits at the gate (30 s at most), watching whether it is revoked, as a long task that checks would. */
    @Task(name = "policy.watchesRevocation")
    public String watchesRevocation(String key) throws InterruptedException {
        count(key);
        running.incrementAndGet();
        try {
            for (int i = 0; i < 1_500 && !gate.await(20, TimeUnit.MILLISECONDS); i++) {
                if (TaskContext.current().isRevoked() && !revokedSeen.contains(key)) {
                    revokedSeen.add(key);
                }
            }
            return key;
        }
        finally {
            running.decrementAndGet();
        }
    }

    @Task(name = "policy.context")
    public String context() {
        TaskContext task = TaskContext.current();
        seen.add(MDC.get("taskId"));
        return task.headers().getOrDefault("tenant", "none") + "/" + Tenant.CURRENT.get() + "/" + task.taskId();
    }

    /** A chord's body: the member whose run started it, as an interceptor wrote it in the body's headers. */
    @Task(name = "policy.startedBy")
    public String startedBy(List<String> results) {
        return TaskContext.current().headers().getOrDefault("started-by", "none");
    }

    /** A thread-local "security context" an interceptor propagates. */
    public static final class Tenant {
        public static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

        private Tenant() {
        }
    }
}

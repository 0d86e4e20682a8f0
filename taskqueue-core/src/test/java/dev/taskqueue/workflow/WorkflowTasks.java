package dev.taskqueue.workflow;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskFailure;

/** Small tasks to compose into workflows. Each instance records what ran. */
public class WorkflowTasks {

    public final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    public final List<TaskFailure> failures = new CopyOnWriteArrayList<>();
    public final List<Object> linked = new CopyOnWriteArrayList<>();
    public final List<List<Integer>> sums = new CopyOnWriteArrayList<>();

    private void count(String name) {
        runs.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    }

    public int runsOf(String name) {
        AtomicInteger n = runs.get(name);
        return n == null ? 0 : n.get();
    }

    @Task(name = "wf.add")
    public int add(int a, int b) {
        count("add");
        return a + b;
    }

    @Task(name = "wf.mul")
    public int mul(int x, int factor) {
        count("mul");
        return x * factor;
    }

    @Task(name = "wf.double")
    public int twice(int x) {
        count("double");
        return 2 * x;
    }

    @Task(name = "wf.sum")
    public int sum(List<Integer> values) {
        count("sum");
        sums.add(values);
        return values.stream().mapToInt(v -> v == null ? 0 : v).sum();
    }

    @Task(name = "wf.label")
    public String label(List<Integer> values, String text) {
        count("label");
        return text.length() + ":" + values.stream().mapToInt(Integer::intValue).sum();
    }

    @Task(name = "wf.large")
    public String large(int length) {
        count("large");
        return "x".repeat(length);
    }

    @Task(name = "wf.length")
    public int length(String text) {
        count("length");
        return text.length();
    }

    @Task(name = "wf.fail")
    public int fail(int x) {
        count("fail");
        throw new IllegalStateException("cannot handle " + x);
    }

    @Task(name = "wf.describe", queue = "other")
    public String describe(int x) {
        count("describe");
        return "value " + x;
    }

    /** Fails its first attempt, then succeeds: retried by its policy. */
    @Task(name = "wf.flaky", retry = @Retry(maxRetries = 3, delay = "50ms"))
    public int flaky(int x) {
        count("flaky");
        if (TaskContext.current().attempt() == 1) {
            throw new IllegalStateException("flaky first attempt of " + x);
        }
        return x;
    }

    /** Asks to be retried once, with the task context. */
    @Task(name = "wf.retryOnce")
    public int retryOnce(int x) {
        count("retryOnce");
        if (TaskContext.current().attempt() == 1) {
            throw TaskContext.current().retry(Duration.ofMillis(20));
        }
        return x;
    }

    @Task(name = "wf.onError")
    public void onError(TaskFailure failure) {
        count("onError");
        failures.add(failure);
    }

    @Task(name = "wf.record")
    public void record(Object value) {
        count("record");
        linked.add(value);
    }

    @Task(name = "wf.hello")
    public String hello() {
        count("hello");
        return "hello";
    }
}

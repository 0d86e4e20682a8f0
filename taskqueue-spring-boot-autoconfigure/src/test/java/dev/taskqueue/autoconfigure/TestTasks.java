package dev.taskqueue.autoconfigure;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.testing.SharedRedis;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Task beans and settings shared by the auto-configuration tests. */
public final class TestTasks {

    /** A short task, and one that records the thread it ran on. */
    public static class Greeter {

        public final AtomicReference<Thread> lastThread = new AtomicReference<>();

        @Task(name = "test.greet")
        public String greet(String name) {
            lastThread.set(Thread.currentThread());
            return "Hello " + name;
        }

        @Task(name = "test.fail", queue = "failing")
        public void fail() {
            throw new IllegalStateException("expected failure");
        }

        @Task(name = "test.header")
        public String header(String name) {
            return TaskContext.current().headers().getOrDefault(name, "none");
        }
    }

    /** A task that asks to run again, twice, then succeeds. */
    public static class Retrier {

        @Task(name = "test.retry-twice")
        public int retryTwice() {
            int attempt = TaskContext.current().attempt();
            if (attempt < 3) {
                throw TaskContext.current().retry(Duration.ofMillis(50));
            }
            return attempt;
        }
    }

    /** A task that runs until released (or interrupted), to be running when the context closes. */
    static class Sleeper {

        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final AtomicBoolean finished = new AtomicBoolean();

        @Task(name = "test.sleep")
        void sleep(long millis) throws InterruptedException {
            started.countDown();
            try {
                Thread.sleep(millis);
            }
            catch (InterruptedException ex) {
                interrupted.countDown();
                throw ex;
            }
            finished.set(true);
        }
    }

    /** Declares the task name {@code test.greet} again. */
    static class DuplicateGreeter {

        @Task(name = "test.greet")
        String greetAgain(String name) {
            return name;
        }
    }

    /** A parameter type that cannot travel as JSON. */
    static class StreamTaker {

        @Task(name = "test.stream")
        void take(InputStream input) {
        }
    }

    /** The shared test Redis (empty it before each test), with a worker that notices and stops quickly. */
    public static String[] redis() {
        return new String[] { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + SharedRedis.port(),
                "taskqueue.worker.heartbeat-interval=200ms", "taskqueue.worker.liveness-timeout=1s",
                "taskqueue.worker.poll-timeout=500ms", "taskqueue.worker.shutdown-timeout=5s",
                "taskqueue.worker.concurrency=4" };
    }

    /** {@link #redis()} for a {@code @SpringBootTest}'s {@code @DynamicPropertySource}. */
    public static void redis(DynamicPropertyRegistry registry) {
        for (String property : redis()) {
            int equals = property.indexOf('=');
            registry.add(property.substring(0, equals), () -> property.substring(equals + 1));
        }
    }

    /** How long a test waits for a task's result. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private TestTasks() {
    }
}

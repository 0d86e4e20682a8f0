package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.test.TaskQueueTester;
import dev.taskqueue.test.TestRedis;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * The sample as it ships, {@code java -jar sample-app.jar}, run as a worker only: no web server, so nothing but
 * its worker keeps the JVM alive. It must run until told to stop, run tasks meanwhile, and stop its worker on
 * SIGTERM.
 */
class WorkerOnlyApplicationIT {

    private static final Path JAR = Path.of("target", "sample-app.jar");

    private static final Path LOG = Path.of("target", "worker-only-application.log");

    private static final Pattern STARTED = Pattern.compile("Worker (\\S+) started");

    @Test
    void aWorkerOnlyApplicationRunsTasksUntilSigtermThenStopsItsWorker() throws Exception {
        assertThat(JAR).as("the repackaged sample app").isRegularFile();
        try (TaskQueueTester taskqueue = TaskQueueTester.create()) {
            long launched = System.nanoTime();
            Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toString(), "--spring.main.web-application-type=none",
                    "--spring.data.redis.host=" + TestRedis.host(), "--spring.data.redis.port=" + TestRedis.port(),
                    "--taskqueue.key-prefix=" + taskqueue.keyPrefix())
                    .redirectErrorStream(true).redirectOutput(LOG.toFile()).start();
            try {
                String workerId = awaitLogLine(app, STARTED, Duration.ofSeconds(90)).group(1);
                long startedIn = millisSince(launched);

                boolean exited = app.waitFor(5, TimeUnit.SECONDS);
                assertThat(exited).as("the application exited within 5 s of its worker's start; its log:%n%s", log())
                        .isFalse();
                // A task this test does not declare: the application's worker published it to the catalog.
                Object receipt = taskqueue.client().withOptions(TaskOptions.defaults().queue("emails"))
                        .submit("emails.receipt", "order-1", "ada@example.com").get(Duration.ofSeconds(30));
                assertThat(receipt).asInstanceOf(InstanceOfAssertFactories.MAP)
                        .containsEntry("orderId", "order-1").containsEntry("email", "ada@example.com");
                assertThat(app.isAlive()).isTrue();

                long terminated = System.nanoTime();
                app.destroy(); // SIGTERM
                assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s of SIGTERM").isTrue();
                long stoppedIn = millisSince(terminated);
                assertThat(log()).contains("Worker " + workerId + " stopped in");
                System.out.printf("Worker-only application: its worker started %d ms after launch; it exited %d ms "
                        + "after SIGTERM%n", startedIn, stoppedIn);
            }
            finally {
                app.destroyForcibly();
                app.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits for a line of the application's log to match, while it runs, at most {@code timeout}. */
    private static Matcher awaitLogLine(Process app, Pattern pattern, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = pattern.matcher(log());
            if (matcher.find()) {
                return matcher;
            }
            if (app.waitFor(100, TimeUnit.MILLISECONDS)) {
                fail("the application exited (%d) before its log showed '%s':%n%s", app.exitValue(), pattern, log());
            }
        }
        return fail("no '%s' in the application's log within %s:%n%s", pattern, timeout, log());
    }

    private static String log() throws IOException {
        return Files.exists(LOG) ? Files.readString(LOG) : "";
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}

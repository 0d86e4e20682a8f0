package dev.taskqueue.workflow;

import static dev.taskqueue.Workflows.chain;
import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A workflow step that ends while Redis is down: what follows it starts once Redis is back, and the step itself
 * does not run again (handing it back, as before, cost an extra run, and the step waited for the visibility
 * timeout when the hand-back failed too). A real Redis stopped and restarted from its append-only file.
 */
class WorkflowOutageTest {

    public static class Steps {
        final AtomicInteger firstRuns = new AtomicInteger();
        final AtomicInteger secondRuns = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        @Task(name = "outage.first")
        public String first(String value) throws InterruptedException {
            firstRuns.incrementAndGet();
            release.await();
            return value;
        }

        @Task(name = "outage.second")
        public void second(String value) {
            secondRuns.incrementAndGet();
        }

        final AtomicInteger memberRuns = new AtomicInteger();
        final List<List<String>> bodies = new CopyOnWriteArrayList<>();

        @Task(name = "outage.member")
        public String member(String value) throws InterruptedException {
            memberRuns.incrementAndGet();
            if (value.equals("last")) {
                release.await();
            }
            return value;
        }

        @Task(name = "outage.body")
        public void body(List<String> results) {
            bodies.add(results);
        }
    }

    private final LocalRedisServer server = LocalRedisServer.start(List.of("--appendonly", "yes", "--appendfsync",
            "always"));
    private final RedisClient client = client(server);
    private final Steps steps = new Steps();
    private final TaskQueueFixture tq = new TaskQueueFixture(RedisConnections.using(client,
            "127.0.0.1:" + server.port()), SubmitRetry.DEFAULT, steps);

    private static RedisClient client(LocalRedisServer server) {
        RedisURI uri = server.uri();
        uri.setTimeout(Duration.ofSeconds(3));
        return RedisClient.create(uri);
    }

    @AfterEach
    void stop() {
        steps.release.countDown();
        tq.close();
        client.shutdown();
        server.close();
    }

    @Test
    void aStepThatEndsDuringAnOutageStartsItsSuccessorOnceRedisIsBackAndDoesNotRunAgain() throws Exception {
        tq.startWorker();
        tq.client.submit(chain(TaskCall.of(Steps::first, "a"), TaskCall.partial(Steps::second)));
        await().atMost(Duration.ofSeconds(10)).until(() -> steps.firstRuns.get() == 1);

        server.stop();
        steps.release.countDown(); // the step ends while Redis is down
        Thread.sleep(2_000);
        server.restart();

        await().atMost(Duration.ofSeconds(15)).until(() -> steps.secondRuns.get() == 1);
        Thread.sleep(1_000);
        assertThat(steps.firstRuns).as("the step ran once").hasValue(1);
        assertThat(steps.secondRuns).hasValue(1);
    }

    @Test
    void aChordMemberThatEndsDuringAnOutageReportsOnceRedisIsBackAndTheBodyRunsOnce() throws Exception {
        tq.startWorker();
        tq.client.submit(chord(group(TaskCall.of(Steps::member, "first"), TaskCall.of(Steps::member, "last")),
                TaskCall.partial(Steps::body)));
        await().atMost(Duration.ofSeconds(10)).until(() -> steps.memberRuns.get() == 2);

        server.stop();
        steps.release.countDown(); // the last member ends while Redis is down: its report waits for Redis
        Thread.sleep(2_000);
        server.restart();

        await().atMost(Duration.ofSeconds(15)).until(() -> steps.bodies.size() == 1);
        Thread.sleep(1_000);
        assertThat(steps.memberRuns).as("each member ran once").hasValue(2);
        assertThat(steps.bodies).containsExactly(List.of("first", "last"));
    }
}

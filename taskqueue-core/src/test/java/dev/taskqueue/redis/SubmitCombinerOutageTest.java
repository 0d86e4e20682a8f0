package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Combined single submits that fail while Redis is down leave their queue's lane free: once Redis is back, submits
 * from many threads go through again (a lane left "in flight" would make every later submit wait out its timeout).
 * A real Redis, stopped and restarted.
 */
class SubmitCombinerOutageTest {

    private final LocalRedisServer server = LocalRedisServer.start(List.of("--appendonly", "yes"));
    private final RedisClient client = client(server);
    private final TaskQueueFixture tq = new TaskQueueFixture(RedisConnections.using(client,
            "127.0.0.1:" + server.port()), SubmitRetry.NEVER, new TestTasks());
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    private static RedisClient client(LocalRedisServer server) {
        RedisURI uri = server.uri();
        uri.setTimeout(Duration.ofSeconds(2));
        return RedisClient.create(uri);
    }

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        tq.close();
        client.shutdown();
        server.close();
    }

    @Test
    void submitsFromManyThreadsGoThroughAgainOnceRedisIsBack() throws Exception {
        assertThat(submitFromEachThread(20)).as("before the outage").isEqualTo(160);

        server.stop();
        assertThat(submitFromEachThread(3)).as("while Redis is down").isZero();
        server.restart();

        long stored = 0;
        for (int attempt = 0; attempt < 20 && stored == 0; attempt++) { // Lettuce reconnects by itself, soon
            Thread.sleep(250);
            stored = submitFromEachThread(1);
        }
        assertThat(stored).as("the first submits after the outage").isPositive();
        assertThat(submitFromEachThread(20)).as("after it, every one").isEqualTo(160);
    }

    /** Each of 8 threads submits {@code each} tasks one by one; how many were stored. */
    private long submitFromEachThread(int each) throws Exception {
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(threads.submit(() -> {
                int stored = 0;
                for (int i = 0; i < each; i++) {
                    try {
                        TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "x");
                        stored += handle.id() != null ? 1 : 0;
                    }
                    catch (RuntimeException refused) {
                        // Redis is down: the submit says so
                    }
                }
                return stored;
            }));
        }
        long stored = 0;
        for (Future<Integer> f : done) {
            stored += f.get(60, TimeUnit.SECONDS);
        }
        return stored;
    }
}

package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** When Redis goes away, submit says so clearly, and workers back off and resume by themselves. */
class RedisOutageTest {

    @Test
    void submitFailsClearlyWhileRedisIsDownAndEverythingResumesWhenItIsBack() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RedisURI uri = server.uri();
            uri.setTimeout(Duration.ofSeconds(1));
            JsonMapper mapper = JsonMapper.builder().build();
            MessageCodec codec = new MessageCodec(mapper);
            TestTasks tasks = new TestTasks();
            TaskRegistry registry = new TaskRegistry(mapper, "default");
            registry.register("tasks", tasks, TestTasks.class);
            try (RedisConnections connections = RedisConnections.create(uri)) {
                RedisStores stores = new RedisStores(connections, "taskqueue",
                        RedisStores.Options.DEFAULTS.withResultTtl(Duration.ofHours(1)));
                RedisBroker broker = stores.broker();
                DefaultTaskClient client = new DefaultTaskClient(broker, stores.results(), stores.workflows(),
                        stores.admin(), registry, codec, ClientSettings.DEFAULTS, TaskEventListener.of(List.of()),
                        Clock.systemUTC());
                Worker worker = new Worker(broker, stores.workflows(), registry, codec,
                        TaskQueueFixture.fastSettings().build(), TaskEventListener.of(List.of()), Clock.systemUTC());
                worker.start();
                try {
                    assertThat(client.submit(TestTasks::add, 1, 2).get(Duration.ofSeconds(10))).isEqualTo(3);

                    server.stop();
                    assertThatThrownBy(() -> client.submit(TestTasks::add, 2, 2))
                            .isInstanceOf(BrokerUnavailableException.class)
                            .hasMessageContaining("is unreachable")
                            .hasMessageContaining("spring.data.redis");
                    assertThat(broker.ping()).isFalse();
                    sleep(1_500); // the worker's parts fail and back off meanwhile

                    server.restart();
                    AtomicReference<TaskHandle<Integer>> handle = new AtomicReference<>();
                    await().atMost(Duration.ofSeconds(30)).ignoreException(BrokerUnavailableException.class)
                            .until(() -> {
                                handle.set(client.submit(TestTasks::add, 20, 22));
                                return true;
                            });
                    assertThat(handle.get().get(Duration.ofSeconds(30))).isEqualTo(42);
                }
                finally {
                    worker.stop();
                    stores.close();
                }
            }
        }
    }

    @Test
    void aWorkerStopsWithinSecondsWhileRedisIsDown() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RedisURI uri = server.uri();
            uri.setTimeout(Duration.ofSeconds(60)); // as Lettuce's default: stopping must not wait for it
            JsonMapper mapper = JsonMapper.builder().build();
            TaskRegistry registry = new TaskRegistry(mapper, "default");
            registry.register("tasks", new TestTasks(), TestTasks.class);
            try (RedisConnections connections = RedisConnections.create(uri)) {
                RedisStores stores = new RedisStores(connections, "taskqueue");
                Worker worker = new Worker(stores.broker(), stores.workflows(), registry, new MessageCodec(mapper),
                        TaskQueueFixture.fastSettings().build(), TaskEventListener.of(List.of()), Clock.systemUTC());
                worker.start();
                sleep(300);
                server.stop();

                long stopping = System.nanoTime();
                worker.stop();
                long tookMillis = Duration.ofNanos(System.nanoTime() - stopping).toMillis();

                assertThat(worker.state()).isEqualTo(Worker.State.STOPPED);
                assertThat(tookMillis).as("stop took %d ms", tookMillis).isLessThan(15_000);
                stores.close();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}

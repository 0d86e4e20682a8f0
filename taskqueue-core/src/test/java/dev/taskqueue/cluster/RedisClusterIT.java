package dev.taskqueue.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import io.lettuce.core.cluster.RedisClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;

/**
 * The same code on a Redis Cluster: every script declares its keys, all in one slot (a queue's hash tag), so
 * queues spread over shards and nothing runs into CROSSSLOT.
 */
class RedisClusterIT {

    @Test
    @Timeout(120)
    void queuesOnDifferentShardsWorkEndToEnd() throws Exception {
        try (LocalRedisCluster cluster = new LocalRedisCluster(3)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uris());
            JsonMapper mapper = JsonMapper.builder().build();
            MessageCodec codec = new MessageCodec(mapper);
            TestTasks tasks = new TestTasks();
            TaskRegistry registry = new TaskRegistry(mapper, "default");
            registry.register("tasks", tasks, TestTasks.class);
            try (RedisConnections connections = RedisConnections.using(client, "cluster")) {
                assertThat(connections.isCluster()).isTrue();
                RedisStores stores = new RedisStores(connections, "taskqueue",
                        RedisStores.Options.DEFAULTS.withResultTtl(Duration.ofHours(1)));
                RedisBroker broker = stores.broker();
                RedisQueueAdmin admin = stores.admin();
                DefaultTaskClient taskClient = new DefaultTaskClient(broker, stores.results(), stores.workflows(),
                        admin, registry, codec, ClientSettings.DEFAULTS, TaskEventListener.of(List.of()),
                        Clock.systemUTC());
                Worker worker = new Worker(broker, stores.workflows(), registry, codec, TaskQueueFixture.fastSettings()
                        .queue("default").queue("images").queue("urgent").build(), TaskEventListener.of(List.of()),
                        Clock.systemUTC());
                worker.start();
                try {
                    // The three queues' keys are served by three different nodes of this cluster.
                    assertThat(Stream.of("default", "images", "urgent").map(queue -> client.getPartitions()
                            .getPartitionBySlot(io.lettuce.core.cluster.SlotHash.getSlot("{taskqueue:" + queue
                                    + "}:s:0")).getNodeId()).distinct()).hasSize(3);

                    List<TaskCall<?>> calls = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        calls.add(TaskCall.of(TestTasks::add, i, i));
                        calls.add(TaskCall.of(TestTasks::thumbnail, "c" + i, i + 1));
                        calls.add(TaskCall.of(TestTasks::urgent, "u" + i));
                    }
                    List<TaskHandle<?>> handles = taskClient.submitAll(calls);
                    for (TaskHandle<?> handle : handles) {
                        handle.get(Duration.ofSeconds(30));
                    }
                    assertThat(taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofMillis(300)))
                            .submit(TestTasks::echo, "delayed").get(Duration.ofSeconds(10))).isEqualTo("delayed");
                    assertThat(taskClient.withOptions(TaskOptions.defaults().taskId("once")).submit(TestTasks::echo,
                            "once").id()).isEqualTo("once");
                    assertThatThrownBy(() -> taskClient.submit(TestTasks::fail, "no").get(Duration.ofSeconds(10)))
                            .isInstanceOf(TaskFailedException.class);
                    assertThat(taskClient.handle(handles.get(1).id()).get(Duration.ofSeconds(5))).isNotNull();
                    // By id alone, looked for in every queue, each on its shard: an id no queue has is only remembered.
                    assertThat(admin.revoke(null, "unknown", "revoked", false)).isTrue();
                    assertThat(taskClient.withOptions(TaskOptions.defaults().taskId("unknown"))
                            .submit(TestTasks::echo, "a new task").get(Duration.ofSeconds(10))).isEqualTo("a new task");
                    assertThat(admin.stats(List.of("default", "images", "urgent")))
                            .allSatisfy(s -> assertThat(s.pending()).isZero());
                    await().atMost(Duration.ofSeconds(5)).until(() -> !admin.workers().isEmpty());

                    // The dashboard's reads: each queue's indexes on its shard, the history on the prefix's.
                    assertThat(stores.browser().failures(FailureFilter.ALL, null, 10).tasks()).isNotEmpty();
                    assertThat(stores.browser().tasks("images", QueueBrowser.Listing.RESULTS, null, 5).tasks())
                            .hasSize(5);
                    assertThat(stores.browser().find(null, handles.get(1).id()).state()).isEqualTo("SUCCESS");

                    // A dead worker's task is recovered on the cluster too.
                    long now = System.currentTimeMillis();
                    broker.heartbeat(new WorkerInfo("ghost", "h", 1, List.of("images"), 1, 0, 0, 0, now, now,
                            "RUNNING"), Duration.ofSeconds(1), Duration.ofSeconds(1));
                    worker.stop();
                    assertThat(stores.history().read(TaskHistory.Resolution.HOUR, Instant.now().minusSeconds(300),
                            Instant.now(), null, null).stream().mapToLong(TaskHistory.Point::processed).sum())
                            .isGreaterThanOrEqualTo(90);
                    TaskHandle<TestTasks.Thumbnail> orphan = taskClient.submit(TestTasks::thumbnail, "orphan", 7);
                    assertThat(broker.claim("ghost", List.of("images"), 1)).hasSize(1);
                    Thread.sleep(150);
                    assertThat(broker.recover(new RecoveryPolicy(Duration.ofMillis(100), Duration.ofHours(1))).redelivered()).isEqualTo(1);
                    Worker second = new Worker(broker, stores.workflows(), registry, codec,
                            TaskQueueFixture.fastSettings().queue("images").build(), TaskEventListener.of(List.of()),
                            Clock.systemUTC());
                    second.start();
                    try {
                        assertThat(orphan.get(Duration.ofSeconds(10)).imageId()).isEqualTo("orphan");
                    }
                    finally {
                        second.stop();
                    }

                    // A blocking read spans one queue's slot: it waits on the queues in turn, never on a paused one.
                    admin.pause("default");
                    taskClient.submit(TestTasks::thumbnail, "first", 1);
                    taskClient.submit(TestTasks::thumbnail, "second", 2);
                    for (int read = 1; read <= 2; read++) {
                        assertThat(broker.awaitAndClaim("reader", List.of("default", "images"), 1,
                                Duration.ofMillis(300))).as("read %d", read).hasSize(1);
                    }
                }
                finally {
                    worker.stop();
                    stores.close();
                }
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}

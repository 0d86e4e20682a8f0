package dev.taskqueue.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.testing.LocalRedisSentinels;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * taskqueue connects the way {@code spring.data.redis.*} says: here with credentials, and through Sentinel (Cluster
 * is covered by the core's {@code RedisClusterIT}, on the same Lettuce client type).
 */
class TaskQueueRedisConnectionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class))
            .withPropertyValues("taskqueue.worker.poll-timeout=500ms", "taskqueue.worker.shutdown-timeout=5s")
            .withBean(TestTasks.Greeter.class);

    @Test
    void tasksRunOnARedisThatRequiresAUserAndPassword() {
        try (LocalRedisServer redis = LocalRedisServer.start(List.of("--user", "app", "on", ">s3cret", "~*", "&*",
                "+@all", "--user", "default", "off"))) {
            runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                    "spring.data.redis.username=app", "spring.data.redis.password=s3cret").run(context -> {
                        TaskClient client = context.getBean(TaskClient.class);
                        assertThat(client.submit(TestTasks.Greeter::greet, "Ada").get(WAIT)).isEqualTo("Hello Ada");
                    });
        }
    }

    @Test
    void tasksRunOnTheMasterASentinelNames() {
        try (LocalRedisServer master = LocalRedisServer.start();
                LocalRedisSentinels sentinel = new LocalRedisSentinels(1, master.port(), 1, Duration.ofSeconds(5))) {
            runner.withPropertyValues("spring.data.redis.sentinel.master=" + LocalRedisSentinels.MASTER,
                    "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.ports().get(0)).run(context -> {
                        TaskClient client = context.getBean(TaskClient.class);
                        TaskHandle<String> handle = client.submit(TestTasks.Greeter::greet, "Grace");
                        assertThat(handle.get(WAIT)).isEqualTo("Hello Grace");
                        // On the master the Sentinel named, not on whatever answers on the default address.
                        RedisClient direct = RedisClient.create("redis://127.0.0.1:" + master.port());
                        try (StatefulRedisConnection<String, String> connection = direct.connect()) {
                            assertThat(connection.sync().exists("{taskqueue:default}:t:" + handle.id())).isOne();
                        }
                        finally {
                            direct.shutdown();
                        }
                    });
        }
    }

    @Test
    void afterASentinelFailoverTasksGoToTheNewMasterAtOnce() {
        try (LocalRedisServer master = LocalRedisServer.start(List.of("--repl-diskless-sync-delay", "0"));
                LocalRedisServer replica = LocalRedisServer.start(List.of("--replicaof", "127.0.0.1",
                        Integer.toString(master.port())));
                LocalRedisSentinels sentinel = new LocalRedisSentinels(1, master.port(), 1, Duration.ofSeconds(5))) {
            sentinel.awaitDiscovery(1, Duration.ofSeconds(20));
            runner.withPropertyValues("spring.data.redis.sentinel.master=" + LocalRedisSentinels.MASTER,
                    "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.ports().get(0)).run(context -> {
                        TaskClient client = context.getBean(TaskClient.class);
                        assertThat(client.submit(TestTasks.Greeter::greet, "Ada").get(WAIT)).isEqualTo("Hello Ada");
                        sentinel.failover();
                        await().atMost(Duration.ofSeconds(20)).until(() -> sentinel.masterPort() == replica.port());
                        // The old master would take writes until Sentinel demotes it, some 10 s later, then erase
                        // them: taskqueue's connections must leave it as soon as the switch is announced.
                        RedisClient direct = RedisClient.create("redis://127.0.0.1:" + replica.port());
                        try (StatefulRedisConnection<String, String> onNewMaster = direct.connect()) {
                            await().atMost(Duration.ofSeconds(3)).ignoreExceptions().until(() -> {
                                TaskHandle<String> handle = client.submit(TestTasks.Greeter::greet, "Grace");
                                handle.get(Duration.ofSeconds(1));
                                return onNewMaster.sync().exists("{taskqueue:default}:t:" + handle.id()) == 1;
                            });
                        }
                        finally {
                            direct.shutdown();
                        }
                    });
        }
    }
}

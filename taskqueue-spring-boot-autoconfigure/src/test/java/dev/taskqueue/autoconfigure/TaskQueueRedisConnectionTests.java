package dev.taskqueue.autoconfigure;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * taskqueue connects the way {@code spring.data.redis.*} says: here with credentials, and through Sentinel (Cluster
 * is covered by the core's {@code RedisClusterTest}, on the same Lettuce client type).
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
    void tasksRunOnTheMasterASentinelNames() throws Exception {
        try (LocalRedisServer master = LocalRedisServer.start(); Sentinel sentinel = new Sentinel(master.port())) {
            runner.withPropertyValues("spring.data.redis.sentinel.master=mymaster",
                    "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port).run(context -> {
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

    /** A redis-server in Sentinel mode watching one master. */
    private static final class Sentinel implements AutoCloseable {

        private final int port;
        private final Process process;
        private final Path dir;

        Sentinel(int masterPort) throws Exception {
            dir = Files.createTempDirectory("taskqueue-sentinel");
            try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path config = dir.resolve("sentinel.conf");
            Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
                    "sentinel monitor mymaster 127.0.0.1 " + masterPort + " 1",
                    "sentinel resolve-hostnames yes") + "\n", StandardCharsets.UTF_8);
            File log = dir.resolve("sentinel.log").toFile();
            process = new ProcessBuilder(LocalRedisServer.findBinary().toString(), config.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(log).start();
            long deadline = System.currentTimeMillis() + 15_000;
            while (!answers()) {
                if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                    close();
                    throw new IllegalStateException("the sentinel did not start: " + Files.readString(log.toPath()));
                }
                Thread.sleep(50);
            }
        }

        private boolean answers() {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(500);
                socket.getOutputStream().write("SENTINEL get-master-addr-by-name mymaster\r\n".getBytes(
                        StandardCharsets.US_ASCII));
                byte[] reply = new byte[64];
                int n = socket.getInputStream().read(reply);
                return n > 0 && reply[0] == '*' && reply[1] == '2';
            }
            catch (java.io.IOException ex) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

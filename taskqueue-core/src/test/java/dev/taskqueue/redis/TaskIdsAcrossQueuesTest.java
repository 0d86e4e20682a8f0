package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller-chosen id is unique per queue: the same id in two queues is two tasks, two tenants' say. Handles name
 * their queue, or find the one queue that has the id and refuse an id that several have.
 */
class TaskIdsAcrossQueuesTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    private TaskHandle<String> echo(String queue, String id, String value) {
        return tq.client.withOptions(TaskOptions.defaults().queue(queue).taskId(id)).submit(TestTasks::echo, value);
    }

    @Test
    void theSameIdInTwoQueuesGivesEachCallerItsOwnResult() throws Exception {
        List<CompletableFuture<String>> acme = new ArrayList<>();
        List<CompletableFuture<String>> globex = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // both wait before either runs
            acme.add(echo("acme", "order-" + i, "acme's").future());
            globex.add(echo("globex", "order-" + i, "globex's").future());
        }
        tq.startWorker(s -> s.queue("acme").queue("globex"));

        for (int i = 0; i < 3; i++) {
            assertThat(acme.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("acme's");
            assertThat(globex.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("globex's");
        }
    }

    @Test
    void aHandleByIdAloneFollowsTheOneQueueThatHasItAndRefusesAnIdInSeveral() {
        echo("acme", "shared", "acme's");
        echo("globex", "shared", "globex's");
        echo("globex", "own", "globex only");
        TaskHandle<String> queued = tq.client.withOptions(TaskOptions.defaults().queue("acme"))
                .submit(TestTasks::echo, "generated id");
        TaskHandle<String> notFoundYet = tq.client.handle(queued.id(), String.class); // no record until it starts

        assertThatThrownBy(() -> tq.client.handle("shared")).isInstanceOf(AmbiguousTaskIdException.class)
                .hasMessageContaining("'shared'").hasMessageContaining("[acme, globex]");
        tq.startWorker(s -> s.queue("acme").queue("globex"));
        assertThat(tq.client.handle("acme", "shared", String.class).get(Duration.ofSeconds(10))).isEqualTo("acme's");
        assertThat(tq.client.handle("globex", "shared", String.class).get(Duration.ofSeconds(10)))
                .isEqualTo("globex's");
        TaskHandle<String> own = tq.client.handle("own", String.class);
        assertThat(own.get(Duration.ofSeconds(10))).isEqualTo("globex only");
        assertThat(own.info().queue()).isEqualTo("globex");
        assertThat(notFoundYet.get(Duration.ofSeconds(10))).isEqualTo("generated id");
        assertThat(notFoundYet.info().queue()).isEqualTo("acme");
    }
}

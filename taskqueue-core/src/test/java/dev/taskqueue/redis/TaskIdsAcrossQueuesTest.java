package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller-chosen id is unique per queue: the same id in two queues is two tasks, two tenants' say. Handles and
 * revocations name their queue, or find the one queue that has the id and refuse an id that several have; a
 * revocation writes only where the task is, and every key it writes is bounded.
 */
class TaskIdsAcrossQueuesTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();
    private final TaskQueueOperations operations = new DefaultTaskQueueOperations(tq.admin, tq.codec, tq.catalog);

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

    @Test
    void aRevocationByIdAloneRefusesAnIdInSeveralQueues() {
        TaskHandle<String> acme = echo("acme", "job", "acme's");
        TaskHandle<String> globex = echo("globex", "job", "globex's");

        assertThatThrownBy(() -> operations.revoke("job", false)).isInstanceOf(AmbiguousTaskIdException.class)
                .hasMessageContaining("[acme, globex]");
        assertThat(acme.state()).isEqualTo(TaskState.PENDING);
        assertThat(globex.state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void revokingATaskInOneQueueDoesNotStopTheSameIdRunningInAnother() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker(s -> s.queue("acme").queue("globex"));
        TaskHandle<String> acme = tq.client.withOptions(TaskOptions.defaults().queue("acme").taskId("job"))
                .submit(TestTasks::gated, "acme");
        TaskHandle<String> globex = tq.client.withOptions(TaskOptions.defaults().queue("globex").taskId("job"))
                .submit(TestTasks::gated, "globex");
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.running.get() == 2);

        assertThat(acme.revoke(true)).isTrue(); // its handle names its queue

        assertThatThrownBy(() -> acme.get(Duration.ofSeconds(10))).isInstanceOf(TaskRevokedException.class);
        // Its run is interrupted; the other queue's goes on.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> tasks.running.get() == 1);
        tasks.gate.countDown();
        assertThat(globex.get(Duration.ofSeconds(10))).isEqualTo("globex");
        assertThat(globex.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void revokingIdsNoQueueHasWritesNoRecordsAndStillStopsATaskWaitingWithoutOne() {
        List<String> queues = List.of("q1", "q2", "q3", "q4");
        tq.broker.declare(queues);
        TaskHandle<String> queued = tq.client.withOptions(TaskOptions.defaults().queue("q3"))
                .submit(TestTasks::echo, "never"); // no record until it starts
        long keysBefore = redis.dbsize();

        for (int i = 0; i < 2_000; i++) {
            assertThat(operations.revoke("ghost-" + i, false)).isTrue();
        }
        assertThat(operations.revoke(queued.id(), false)).isTrue();

        assertThat(redis.keys("*:t:*")).as("records").isEmpty();
        assertThat(redis.dbsize() - keysBefore).as("a revoked set per queue").isLessThanOrEqualTo(queues.size());
        tq.startWorker(s -> s.queue("q3"));
        assertThatThrownBy(() -> queued.get(Duration.ofSeconds(10))).isInstanceOf(TaskRevokedException.class);
        assertThat(tasks.runsOf("never")).isZero();
    }

    @Test
    void aTaskSubmittedWithAnIdRevokedWhileNoQueueHadItRuns() {
        tq.broker.declare(List.of("q1", "q2"));
        assertThat(operations.revoke("ghost", false)).isTrue();

        TaskHandle<String> later = echo("q2", "ghost", "a new task");

        assertThat(later.state()).isEqualTo(TaskState.PENDING);
        tq.startWorker(s -> s.queue("q2"));
        assertThat(later.get(Duration.ofSeconds(10))).isEqualTo("a new task");
    }

    @Test
    void aQueueRemembersABoundedNumberOfRevocations() {
        String revoked = "{taskqueue:q1}:revoked";
        long now = System.currentTimeMillis();
        for (int from = 0; from < RedisRevocations.MAX_PER_QUEUE; from += 10_000) {
            List<ScoredValue<String>> batch = new ArrayList<>();
            for (int i = from; i < from + 10_000; i++) {
                batch.add(ScoredValue.just(now - 600_000 + i, "old-" + i));
            }
            redis.zadd(revoked, batch.toArray(ScoredValue[]::new));
        }

        assertThat(tq.admin.revoke("q1", "newest", "revoked", false)).isTrue();

        assertThat(redis.zcard(revoked)).isEqualTo(RedisRevocations.MAX_PER_QUEUE);
        assertThat(redis.zscore(revoked, "newest")).isNotNull();
        assertThat(redis.zscore(revoked, "old-0")).as("the oldest is forgotten").isNull();
        assertThat(redis.pttl(revoked)).isPositive();
        assertThat(redis.pttl("{taskqueue:q1}:t:newest")).isBetween(1L, RedisBroker.REVOCATION_MEMORY.toMillis());
    }
}

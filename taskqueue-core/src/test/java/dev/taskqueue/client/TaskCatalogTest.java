package dev.taskqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.UnknownTaskException;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.policies.PolicyTasks;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task catalog: a service that does not declare a task submits it by name with what the task's workers
 * published (queue, priority, policies, parameters), against a real Redis.
 */
class TaskCatalogTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks, new PolicyTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    /** A client of another service: it declares no task, and knows those of the shared catalog. */
    private DefaultTaskClient otherService(ClientSettings settings) {
        TaskCatalog catalog = new TaskCatalog(new TaskRegistry(tq.mapper, "default"), tq.stores.catalog(),
                tq.mapper, Clock.systemUTC());
        return new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, catalog, tq.codec, settings, tq.event(), List.of(),
                Clock.systemUTC());
    }

    @Test
    void aTaskSubmittedByNameFromAnotherServiceGoesToItsDeclaredQueueAndPriority() {
        tq.startWorker(s -> s.queue("images").queue("urgent"));
        DefaultTaskClient other = otherService(ClientSettings.DEFAULTS);

        TaskHandle<Object> thumbnail = other.submit("test.thumbnail", "img-1", 120);
        assertThat(thumbnail.get(Duration.ofSeconds(10))).isInstanceOf(Map.class);
        assertThat(thumbnail.info().queue()).isEqualTo("images");

        tq.admin.pause("urgent");
        other.submit("test.urgent", "now");
        assertThat(redis.xlen("{taskqueue:urgent}:s:9")).as("priority 9, as declared").isEqualTo(1);
    }

    @Test
    void argumentsThatDoNotFitThePublishedParametersAreRefusedBeforeAnythingIsSent() {
        tq.startWorker(s -> s.queue("images"));
        DefaultTaskClient other = otherService(ClientSettings.DEFAULTS);

        assertThatThrownBy(() -> other.submit("test.thumbnail", "img-1", "wide"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Task 'test.thumbnail' takes int width (JSON integer) as argument 2")
                .hasMessageContaining("java.lang.String (JSON string)");
        assertThatThrownBy(() -> other.submit("test.thumbnail", "img-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes 2 argument(s) [imageId, width], but 1 were given");
        assertThatThrownBy(() -> other.submit("test.thumbnail", "img-1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but null was given");
        assertThat(redis.xlen("{taskqueue:images}:s:0")).as("nothing sent").isZero();
    }

    @Test
    void aNameFoundNowhereIsRefusedUnlessUnknownTasksAreAllowed() {
        tq.startWorker();
        assertThatThrownBy(() -> otherService(ClientSettings.DEFAULTS).submit("billing.invoce", "order-7"))
                .isInstanceOf(UnknownTaskException.class).hasMessageContaining("No task is named 'billing.invoce'")
                .hasMessageContaining("taskqueue.submit.allow-unknown-tasks=true");

        tq.admin.pause("default");
        otherService(ClientSettings.DEFAULTS.allowingUnknownTasks(true)).submit("billing.invoce", "order-7");
        assertThat(redis.xlen("{taskqueue:default}:s:0")).as("sent to the default queue").isEqualTo(1);
    }

    @Test
    void aPublishedUniquenessKeyAndIgnoredResultApplyToSubmitsByName() {
        tq.startWorker();
        tq.admin.pause("default");
        DefaultTaskClient other = otherService(ClientSettings.DEFAULTS);

        TaskHandle<Object> first = other.submit("policy.uniqueOrder", "order-1", 1);
        TaskHandle<Object> second = other.submit("policy.uniqueOrder", "order-1", 2);
        assertThat(second.id()).as("the key #orderId named the published parameter").isEqualTo(first.id());

        TaskHandle<Object> ignored = other.submit("test.fireAndForget", "k");
        assertThatThrownBy(() -> ignored.get(Duration.ofSeconds(5))).hasMessageContaining("ignoreResult");
    }

    @Test
    void theCatalogListsEachTaskWithTheWorkersThatDeclareItAndForgetsAStoppedOne() {
        Worker worker = tq.startWorker();
        TaskCatalog other = new TaskCatalog(new TaskRegistry(tq.mapper, "default"), tq.stores.catalog(),
                tq.mapper, Clock.systemUTC());

        DeclaredTask thumbnail = other.all().stream().filter(t -> t.name().equals("test.thumbnail")).findFirst()
                .orElseThrow();
        assertThat(thumbnail.queue()).isEqualTo("images");
        assertThat(thumbnail.parameters()).extracting(DeclaredTask.Parameter::name, DeclaredTask.Parameter::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("imageId", DeclaredTask.JsonType.STRING),
                        org.assertj.core.groups.Tuple.tuple("width", DeclaredTask.JsonType.INTEGER));
        assertThat(thumbnail.resultType()).isEqualTo(TestTasks.Thumbnail.class.getName());
        assertThat(thumbnail.instances()).containsOnlyKeys(worker.id());
        assertThat(thumbnail.lastSeen()).isNotNull();
        assertThat(other.all()).extracting(DeclaredTask::name).contains("policy.uniqueOrder", "test.add");

        worker.stop();
        DeclaredTask afterStop = other.all().stream().filter(t -> t.name().equals("test.thumbnail")).findFirst()
                .orElseThrow();
        assertThat(afterStop.instances()).as("withdrawn at stop").isEmpty();
        assertThat(afterStop.lastSeen()).as("still known, for workers deployed again").isNotNull();
    }

    @Test
    void everyCatalogKeyExpires() {
        tq.startWorker();
        assertThat(redis.pttl("{taskqueue}:catalog")).isBetween(TaskCatalog.RETENTION.toMillis() - 60_000,
                TaskCatalog.RETENTION.toMillis());
        assertThat(redis.pttl("{taskqueue}:catalog:test.add")).isBetween(TaskCatalog.RETENTION.toMillis() - 60_000,
                TaskCatalog.RETENTION.toMillis());
    }

    @Test
    void anUnreadableEntryHidesOnlyItself() {
        tq.startWorker();
        redis.hset("{taskqueue}:catalog:test.echo", "d", "{not json");
        redis.hset("{taskqueue}:catalog:test.echo", "seen", "yesterday");
        TaskCatalog other = new TaskCatalog(new TaskRegistry(tq.mapper, "default"), tq.stores.catalog(),
                tq.mapper, Clock.systemUTC());

        assertThat(other.all()).extracting(DeclaredTask::name).contains("test.add").doesNotContain("test.echo");
        assertThat(other.find("test.echo")).isNull();
    }

    @Test
    void instancesSilentLongerThanAskedAreForgottenAtTheNextPublish() throws InterruptedException {
        RedisCatalog store = tq.stores.catalog();
        store.publish("old", Map.of("t.one", "{}"), 60_000, 0);
        Thread.sleep(50);
        store.publish("new", Map.of("t.one", "{}"), 60_000, 20);

        assertThat(store.find("t.one").instances()).containsOnlyKeys("new");
        assertThat(redis.pttl("{taskqueue}:catalog:t.one")).isBetween(50_000L, 60_000L);
    }
}

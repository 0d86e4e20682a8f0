package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.TaskState;

import dev.taskqueue.TaskHandle;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.taskqueue.TaskClient;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.Overview;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.QueueDescriptor;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.TaskDescriptor;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.WorkerDescriptor;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.SharedRedis;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jmx.JmxEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskQueueEndpointAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueEndpointAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withPropertyValues("management.endpoints.web.exposure.include=taskqueue")
            .withBean(TestTasks.Greeter.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void endpointShowsOneTaskById() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            handle.get(TestTasks.WAIT);

            TaskQueueEndpoint.TaskView view = endpoint.task("tasks", handle.id());
            assertThat(view.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(view.name()).isEqualTo("test.greet");
            assertThat(view.queue()).isEqualTo("default");
            assertThat(view.attempt()).isEqualTo(1);
            assertThat(view.result()).isEqualTo("\"Hello Ada\"");
            assertThat(view.worker()).isNotNull();
            assertThat(endpoint.task("tasks", "unknown-id").state()).isEqualTo(TaskState.PENDING);
            assertThat(endpoint.task("nonsense", handle.id())).isNull();
        });
    }

    @Test
    void endpointShowsQueuesWorkersAndTasks() {
        runner.withPropertyValues("taskqueue.worker.queues=default,failing,reports").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            String workerId = context.getBean(TaskQueueWorkerLifecycle.class).worker().id();
            String bean = context.getBeanNamesForType(TestTasks.Greeter.class)[0];
            await().atMost(Duration.ofSeconds(10)).until(() -> !endpoint.overview().workers().isEmpty());

            Overview overview = endpoint.overview();

            assertThat(overview.broker()).isEqualTo("redis 127.0.0.1:" + SharedRedis.port());
            assertThat(overview.queues()).extracting(QueueDescriptor::name)
                    .containsExactlyInAnyOrder("default", "failing", "reports");
            assertThat(overview.workers()).singleElement().satisfies(worker -> {
                assertThat(worker.id()).isEqualTo(workerId);
                assertThat(worker.queues()).containsExactly("default", "failing", "reports");
                assertThat(worker.state()).isEqualTo("RUNNING");
            });
            assertThat(overview.workers()).extracting(WorkerDescriptor::concurrency).containsExactly(4);
            assertThat(overview.tasks()).containsExactlyInAnyOrder(
                    new TaskDescriptor("test.greet", "default", 0, false, bean),
                    new TaskDescriptor("test.fail", "failing", 0, false, bean),
                    new TaskDescriptor("test.header", "default", 0, false, bean));
        });
    }

    @Test
    void endpointShowsOneQueueAndNothingForAnUnknownOne() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            QueueDescriptor queue = endpoint.queue("default");

            assertThat(queue).isNotNull();
            assertThat(queue.oldestPendingAgeMillis()).isNotNull();
            assertThat(queue).isEqualTo(new QueueDescriptor("default", 1, 0, 0, 0, queue.oldestPendingAgeMillis()));
            assertThat(endpoint.queue("nobody-uses-this")).isNull();
        });
    }

    @Test
    void actuatorServesTheEndpointAsJson() {
        runner.withConfiguration(AutoConfigurations.of(JmxAutoConfiguration.class, EndpointAutoConfiguration.class,
                JmxEndpointAutoConfiguration.class))
                .withPropertyValues("spring.jmx.enabled=true", "spring.jmx.unique-names=true",
                        "management.endpoints.jmx.exposure.include=taskqueue", "taskqueue.worker.enabled=false")
                .run(context -> {
                    MBeanServer server = context.getBean(MBeanServer.class);
                    ObjectName endpoint = server.queryNames(new ObjectName("*:type=Endpoint,name=Taskqueue,*"), null)
                            .iterator().next();

                    Object overview = server.invoke(endpoint, "overview", new Object[0], new String[0]);
                    Object queue = server.invoke(endpoint, "queue", new Object[] { "failing" },
                            new String[] { String.class.getName() });

                    assertThat(overview).asInstanceOf(InstanceOfAssertFactories.MAP)
                            .containsOnlyKeys("broker", "queues", "workers", "tasks")
                            .extractingByKey("tasks").asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(3);
                    assertThat(queue).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("name", "failing")
                            .containsEntry("pending", 0L);
                });
    }

    @Test
    void endpointIsNotCreatedUnlessExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueEndpoint.class));
    }

    @Test
    void endpointBacksOffWhenUserDefinesOne() {
        TaskQueueEndpoint mine = new TaskQueueEndpoint(new InMemoryBroker(Clock.systemUTC()), "mine",
                new TaskRegistry(JsonMapper.builder().build(), "default"), List::of);
        runner.withBean(TaskQueueEndpoint.class, () -> mine)
                .run(context -> assertThat(context.getBean(TaskQueueEndpoint.class)).isSameAs(mine));
    }

    @Test
    void endpointIsNotCreatedWithoutABroker() {
        runner.withPropertyValues("taskqueue.broker=inline")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Broker.class)
                        .doesNotHaveBean(TaskQueueEndpoint.class));
    }

    @Test
    void endpointIsNotCreatedWithoutTheActuator() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueEndpoint.class));
    }
}

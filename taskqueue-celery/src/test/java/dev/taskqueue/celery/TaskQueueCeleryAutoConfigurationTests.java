package dev.taskqueue.celery;

import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueWorkerCustomizer;
import dev.taskqueue.celery.autoconfigure.CeleryWorkerLifecycle;
import dev.taskqueue.celery.autoconfigure.TaskQueueCeleryAutoConfiguration;
import dev.taskqueue.celery.autoconfigure.TaskQueueCeleryProperties;
import dev.taskqueue.test.TestRedis;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** When Celery's protocol is on, what it wraps, and what stops the start with advice. */
class TaskQueueCeleryAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class,
                    TaskQueueCeleryAutoConfiguration.class))
            .withPropertyValues("spring.data.redis.host=" + TestRedis.host(),
                    "spring.data.redis.port=" + TestRedis.port(), "spring.data.redis.database=15",
                    "taskqueue.worker.enabled=false", "taskqueue.key-prefix=" + TestRedis.newKeyPrefix());

    @Test
    void nothingOfCeleryExistsWithoutCeleryQueues() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(CeleryInterop.class);
            assertThat(context.getBean(TaskClient.class)).isNotInstanceOf(CeleryTaskClient.class);
        });
    }

    @Test
    void celeryQueuesWrapTheApplicationsClientWithoutAWorker() {
        runner.withPropertyValues("taskqueue.celery.queues=celery").run(context -> {
            assertThat(context).hasSingleBean(CeleryInterop.class).doesNotHaveBean(CeleryWorkerLifecycle.class);
            assertThat(context.getBean(TaskClient.class)).isInstanceOf(CeleryTaskClient.class);
        });
    }

    @Test
    void taskqueuesOwnWorkerLeavesCeleryQueuesToTheCeleryWorker() {
        runner.withPropertyValues("taskqueue.celery.queues=celery,java").run(context -> {
            WorkerSettings.Builder builder = WorkerSettings.builder().queue("default").queue("java").queue("images");
            context.getBeanProvider(TaskQueueWorkerCustomizer.class).orderedStream()
                    .forEach(customizer -> customizer.customize(builder));
            assertThat(builder.build().queues()).containsOnlyKeys("default", "images");
        });
    }

    @Test
    void celeryQueuesMayBeAYamlList() {
        runner.withPropertyValues("taskqueue.celery.queues[0]=celery", "taskqueue.celery.worker.queues[0]=celery")
                .run(context -> assertThat(context).hasSingleBean(CeleryWorkerLifecycle.class));
    }

    @Test
    void aWorkerQueueThatIsNotACeleryQueueStopsTheStartWithAdvice() {
        runner.withPropertyValues("taskqueue.celery.queues=celery", "taskqueue.celery.worker.queues=other")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("'other', which is not a Celery queue")
                        .hasMessageContaining("taskqueue.celery.queues"));
    }

    @Test
    void aRouteToAQueueThatIsNotACeleryQueueStopsTheStartWithAdvice() {
        runner.withPropertyValues("taskqueue.celery.queues=celery", "taskqueue.celery.routes.[proj.*]=elsewhere")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("sends 'proj.*' to queue 'elsewhere', which is not a Celery queue"));
    }

    @Test
    void thePropertiesDefaultsAreTheEnginesAndCelerysOwn() {
        TaskQueueCeleryProperties properties = new TaskQueueCeleryProperties();
        TaskQueueCeleryProperties.Worker worker = properties.getWorker();
        assertThat(properties.getResultExpires()).isEqualTo(CeleryResults.DEFAULT_EXPIRES);
        assertThat(properties.getDefaultQueue()).isEqualTo("celery");
        assertThat(worker.getConcurrency()).isEqualTo(CeleryInterop.WorkerOptions.DEFAULT_CONCURRENCY);
        assertThat(worker.getVisibilityTimeout()).isEqualTo(CeleryInterop.WorkerOptions.DEFAULT_VISIBILITY_TIMEOUT);
        assertThat(worker.getLiveness()).isEqualTo(CeleryInterop.WorkerOptions.DEFAULT_LIVENESS);
        assertThat(worker.getHeartbeat()).isEqualTo(CeleryEventSender.DEFAULT_FREQ);
        assertThat(worker.isTrackStarted()).isFalse();
        assertThat(worker.isSendTaskEvents()).isFalse();
        assertThat(worker.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        // The properties start from the engine's constants; these are Celery's and kombu's own defaults.
        assertThat(CeleryInterop.WorkerOptions.DEFAULT_HEARTBEAT).isEqualTo(Duration.ofSeconds(2));
        assertThat(CeleryInterop.WorkerOptions.DEFAULT_VISIBILITY_TIMEOUT).isEqualTo(Duration.ofHours(1));
        assertThat(CeleryResults.DEFAULT_EXPIRES).isEqualTo(Duration.ofDays(1));
    }
}

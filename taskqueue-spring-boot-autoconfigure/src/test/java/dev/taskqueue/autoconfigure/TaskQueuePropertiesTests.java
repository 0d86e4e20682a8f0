package dev.taskqueue.autoconfigure;

import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.actuate.metrics.TaskQueueMetrics;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.worker.WorkerSettings;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class TaskQueuePropertiesTests {

    private final TaskQueueProperties properties = new TaskQueueProperties();

    private final ApplicationContextRunner binding = new ApplicationContextRunner()
            .withUserConfiguration(BindsTheProperties.class);

    @Test
    void clientDefaultsEqualTheEngineDefaults() {
        assertThat(properties.getBroker()).isEqualTo(TaskQueueProperties.BrokerType.REDIS);
        assertThat(properties.getDefaultQueue()).isEqualTo(WorkerSettings.DEFAULT_QUEUE)
                .isEqualTo(ClientSettings.DEFAULTS.defaultQueue());
        assertThat(properties.getResultTtl()).isEqualTo(WorkerSettings.DEFAULT_RESULT_TTL)
                .isEqualTo(ClientSettings.DEFAULTS.resultTtl());
        assertThat(properties.getMaxPayloadSize().toBytes()).isEqualTo(ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE);
        assertThat(properties.getMaxWorkflowTasks()).isEqualTo(ClientSettings.DEFAULT_MAX_WORKFLOW_TASKS);
        assertThat(properties.getKeyPrefix()).isEqualTo(RedisStores.DEFAULT_KEY_PREFIX);
    }

    @Test
    void deadLetterDefaultsEqualTheEngineDefaults() {
        assertThat(properties.getDeadLetters().getMaxLength()).isEqualTo(RedisStores.DeadLetterPolicy.DEFAULT.maxLength());
        assertThat(properties.getDeadLetters().getMaxAge()).isEqualTo(RedisStores.DeadLetterPolicy.DEFAULT.maxAge());
        assertThat(properties.getDeadLetters().getMaxQuarantinedSize().toBytes())
                .isEqualTo(RedisStores.DeadLetterPolicy.DEFAULT_MAX_QUARANTINED_SIZE)
                .isEqualTo(RedisStores.DeadLetterPolicy.DEFAULT.maxQuarantinedSize());
    }

    @Test
    void storedSizeDefaultsEqualTheEngineDefaults() {
        WorkerSettings engine = WorkerSettings.builder().build();
        assertThat(properties.getMaxResultSize().toBytes()).isEqualTo(WorkerSettings.DEFAULT_MAX_RESULT_SIZE)
                .isEqualTo(engine.maxResultSize());
        assertThat(properties.getMaxTextSize().toBytes()).isEqualTo(WorkerSettings.DEFAULT_MAX_TEXT_SIZE)
                .isEqualTo(engine.maxTextSize());
        assertThat(properties.getMaxStackTraceSize().toBytes()).isEqualTo(WorkerSettings.DEFAULT_MAX_STACK_TRACE_SIZE)
                .isEqualTo(engine.maxStackTraceSize());
    }

    @Test
    void storedSizesAreBoundToTheWorkerAndTheBroker() {
        binding.withPropertyValues("taskqueue.max-result-size=2MB", "taskqueue.max-text-size=1KB",
                "taskqueue.max-stack-trace-size=8KB").run(context -> {
                    WorkerSettings settings = workerSettings(context.getBean(TaskQueueProperties.class));
                    assertThat(settings.maxResultSize()).isEqualTo(2 * 1024 * 1024);
                    assertThat(settings.maxTextSize()).isEqualTo(1024);
                    assertThat(settings.maxStackTraceSize()).isEqualTo(8 * 1024);
                });
    }

    @Test
    void historySettingsAreBoundToTheWorker() {
        binding.withPropertyValues("taskqueue.history.enabled=false", "taskqueue.history.minutes-retention=2h",
                "taskqueue.history.hours-retention=7d").run(context -> {
                    WorkerSettings settings = workerSettings(context.getBean(TaskQueueProperties.class));
                    assertThat(settings.history()).isFalse();
                    assertThat(settings.historyMinutesRetention()).isEqualTo(Duration.ofHours(2));
                    assertThat(settings.historyHoursRetention()).isEqualTo(Duration.ofDays(7));
                });
    }

    @Test
    void aSizeThatIsNotFromOneByteToTwoGigabytesFailsTheStartup() {
        binding.withPropertyValues("taskqueue.max-result-size=3GB").run(context -> rejected(context,
                "taskqueue.maxResultSize", DataSize.ofGigabytes(3)).startsWith("A size must be from 1B to below 2GB, "
                        + "got 3221225472B"));
        binding.withPropertyValues("taskqueue.dead-letters.max-quarantined-size=0").run(context -> rejected(context,
                "taskqueue.dead-letters.maxQuarantinedSize", DataSize.ofBytes(0)).startsWith("A size must be from 1B"));
    }

    @Test
    void workerDefaultsEqualTheEngineDefaults() {
        TaskQueueProperties.Worker worker = properties.getWorker();
        WorkerSettings engine = WorkerSettings.builder().build();
        assertThat(worker.isEnabled()).isTrue();
        assertThat(worker.getQueues()).isEmpty();
        assertThat(worker.isStrictOrder()).isEqualTo(engine.strictOrder()).isFalse();
        assertThat(worker.getConcurrency()).isNull(); // unset: the engine's default, adapting
        assertThat(worker.getMaxConcurrency()).isNull();
        assertThat(worker.getAdaptiveConcurrency()).isNull();
        assertThat(worker.getShutdownTimeout()).isEqualTo(WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(worker.getHeartbeatInterval()).isEqualTo(WorkerSettings.DEFAULT_HEARTBEAT_INTERVAL);
        assertThat(worker.getLivenessTimeout()).isEqualTo(WorkerSettings.DEFAULT_LIVENESS_TIMEOUT);
        assertThat(worker.getVisibilityTimeout()).isEqualTo(WorkerSettings.DEFAULT_VISIBILITY_TIMEOUT);
        assertThat(worker.getMaxDeliveries()).isEqualTo(WorkerSettings.DEFAULT_MAX_DELIVERIES);
        assertThat(worker.getPollTimeout()).isEqualTo(WorkerSettings.DEFAULT_POLL_TIMEOUT);
        assertThat(worker.isVirtualThreads()).isEqualTo(engine.virtualThreads()).isTrue();
        assertThat(worker.isKeepAlive()).isTrue();
        assertThat(worker.getOnFatalError()).isEqualTo(WorkerSettings.DEFAULT_ON_FATAL_ERROR)
                .isEqualTo(engine.onFatalError());
    }

    @Test
    void byDefaultTheWorkersConcurrencyAdaptsFromTheEnginesDefault() throws Exception {
        WorkerSettings settings = workerSettings(properties);
        WorkerSettings engine = WorkerSettings.builder().build();
        assertThat(settings.adaptiveConcurrency()).isEqualTo(engine.adaptiveConcurrency()).isTrue();
        assertThat(settings.concurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(settings.maxConcurrency()).isEqualTo(engine.maxConcurrency());
        assertThat(metadataDefaults().get("taskqueue.worker.concurrency").asInt())
                .isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
    }

    @Test
    void aConcurrencySetAloneIsFixed() {
        binding.withPropertyValues("taskqueue.worker.concurrency=16").run(context -> {
            WorkerSettings settings = workerSettings(context.getBean(TaskQueueProperties.class));
            assertThat(settings.adaptiveConcurrency()).isFalse();
            assertThat(settings.concurrency()).isEqualTo(16);
            assertThat(settings.maxConcurrency()).isEqualTo(16);
        });
    }

    @Test
    void aMaxConcurrencyKeepsAdaptingWithTheConcurrencyAsItsFloor() {
        binding.withPropertyValues("taskqueue.worker.concurrency=8", "taskqueue.worker.max-concurrency=128")
                .run(context -> {
                    WorkerSettings settings = workerSettings(context.getBean(TaskQueueProperties.class));
                    assertThat(settings.adaptiveConcurrency()).isTrue();
                    assertThat(settings.concurrency()).isEqualTo(8);
                    assertThat(settings.maxConcurrency()).isEqualTo(128);
                });
        binding.withPropertyValues("taskqueue.worker.adaptive-concurrency=false").run(context -> {
            WorkerSettings settings = workerSettings(context.getBean(TaskQueueProperties.class));
            assertThat(settings.adaptiveConcurrency()).isFalse();
            assertThat(settings.maxConcurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        });
    }

    private static WorkerSettings workerSettings(TaskQueueProperties properties) {
        return TaskQueueAutoConfiguration.WorkerConfiguration.workerSettings(properties, new TaskRegistry(
                JsonMapper.builder().build(), "default"), new StaticListableBeanFactory().getBeanProvider(
                        TaskQueueWorkerCustomizer.class));
    }

    @Test
    void historyDefaultsEqualTheEngineDefaults() {
        WorkerSettings engine = WorkerSettings.builder().build();
        assertThat(properties.getHistory().isEnabled()).isEqualTo(engine.history()).isTrue();
        assertThat(properties.getHistory().getMinutesRetention())
                .isEqualTo(WorkerSettings.DEFAULT_HISTORY_MINUTES_RETENTION);
        assertThat(properties.getHistory().getHoursRetention())
                .isEqualTo(WorkerSettings.DEFAULT_HISTORY_HOURS_RETENTION);
    }

    @Test
    void submitsReturnOnceThePrimaryHasTheTaskByDefault() {
        assertThat(properties.getSubmit().getReplicas()).isEqualTo(RedisStores.Durability.PRIMARY.replicas());
    }

    @Test
    void submitRetryDefaultsEqualTheEngineDefaults() {
        TaskQueueProperties.Submit.Retry retry = properties.getSubmit().getRetry();
        assertThat(retry.getMaxAttempts()).isEqualTo(SubmitRetry.DEFAULT_MAX_ATTEMPTS)
                .isEqualTo(SubmitRetry.DEFAULT.maxAttempts());
        assertThat(retry.getDelay()).isEqualTo(SubmitRetry.DEFAULT_DELAY);
        assertThat(retry.getMultiplier()).isEqualTo(SubmitRetry.DEFAULT_MULTIPLIER);
        assertThat(retry.getMaxDelay()).isEqualTo(SubmitRetry.DEFAULT_MAX_DELAY);
    }

    /** Defaults taken from constants of another class are not in the generated metadata: ours adds them. */
    @Test
    void submitRetryDefaultsInTheMetadataEqualTheEngineDefaults() throws Exception {
        Map<String, JsonNode> defaults = metadataDefaults();
        assertThat(defaults.get("taskqueue.submit.retry.max-attempts").asInt())
                .isEqualTo(SubmitRetry.DEFAULT_MAX_ATTEMPTS);
        assertThat(DurationStyle.detectAndParse(defaults.get("taskqueue.submit.retry.delay").asString()))
                .isEqualTo(SubmitRetry.DEFAULT_DELAY);
        assertThat(defaults.get("taskqueue.submit.retry.multiplier").asDouble())
                .isEqualTo(SubmitRetry.DEFAULT_MULTIPLIER);
        assertThat(DurationStyle.detectAndParse(defaults.get("taskqueue.submit.retry.max-delay").asString()))
                .isEqualTo(SubmitRetry.DEFAULT_MAX_DELAY);
    }

    /** What an IDE shows for the sizes a task may leave in Redis: the engine's defaults. */
    @Test
    void storedSizeDefaultsInTheMetadataEqualTheEngineDefaults() throws Exception {
        Map<String, JsonNode> defaults = metadataDefaults();
        assertThat(DataSize.parse(defaults.get("taskqueue.max-result-size").asString()).toBytes())
                .isEqualTo(WorkerSettings.DEFAULT_MAX_RESULT_SIZE);
        assertThat(DataSize.parse(defaults.get("taskqueue.max-text-size").asString()).toBytes())
                .isEqualTo(WorkerSettings.DEFAULT_MAX_TEXT_SIZE);
        assertThat(DataSize.parse(defaults.get("taskqueue.max-stack-trace-size").asString()).toBytes())
                .isEqualTo(WorkerSettings.DEFAULT_MAX_STACK_TRACE_SIZE);
        assertThat(DataSize.parse(defaults.get("taskqueue.dead-letters.max-quarantined-size").asString()).toBytes())
                .isEqualTo(RedisStores.DeadLetterPolicy.DEFAULT_MAX_QUARANTINED_SIZE);
    }

    /** The default of each property in the configuration metadata (generated, and ours added to it). */
    private Map<String, JsonNode> metadataDefaults() throws Exception {
        Map<String, JsonNode> defaults = new HashMap<>();
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            JsonMapper.builder().build().readTree(metadata).get("properties")
                    .forEach(property -> defaults.put(property.get("name").asString(), property.get("defaultValue")));
        }
        return defaults;
    }

    @Test
    void policyDefaultsEqualTheEngineDefaults() {
        TaskQueueProperties.Retry retry = properties.getRetry();
        assertThat(retry.getMaxRetries()).as("unset, so that requested retries keep their own bound").isNull();
        assertThat(TaskQueueAutoConfiguration.defaultPolicies(properties).retry().maxRetries())
                .isEqualTo(RetryPolicy.DEFAULT_MAX_RETRIES);
        assertThat(retry.getDelay()).isEqualTo(RetryPolicy.DEFAULT_DELAY);
        assertThat(retry.getMultiplier()).isEqualTo(RetryPolicy.DEFAULT_MULTIPLIER);
        assertThat(retry.getMaxDelay()).isEqualTo(RetryPolicy.DEFAULT_MAX_DELAY);
        assertThat(retry.getJitter()).isEqualTo(RetryPolicy.UNSET.jitter());
        assertThat(properties.getTimeLimit().getSoft()).isNull();
        assertThat(properties.getTimeLimit().getHard()).isNull();
        assertThat(properties.getRateLimit()).isNull();
        assertThat(properties.getConcurrencyLimit()).isNull();
        assertThat(properties.getExpiresIn()).isNull();
    }

    @Test
    void embeddedRedisIsEnabledByDefault() {
        assertThat(properties.getEmbeddedRedis().isEnabled()).isTrue();
    }

    @Test
    void operatingDefaults() {
        assertThat(properties.getMetrics().getQueueStatsTtl()).isEqualTo(TaskQueueMetrics.DEFAULT_QUEUE_STATS_TTL);
        assertThat(properties.getMetrics().getChordStalledAfter())
                .isEqualTo(TaskQueueMetrics.DEFAULT_CHORD_STALLED_AFTER);
        assertThat(properties.getHealth().getMaxQueueLag()).isNull();
        assertThat(properties.getHealth().getQueues()).isEmpty();
        assertThat(properties.getHealth().getLagStatus()).isEqualTo(Status.OUT_OF_SERVICE.getCode());
        assertThat(properties.getEvents().isPublish()).isTrue();
        assertThat(properties.getEvents().getStream().isEnabled()).isFalse();
        assertThat(properties.getEvents().getStream().getMaxLength()).isEqualTo(10_000);
    }

    @Test
    void aLagStatusFollowedByACommentFailsTheStartupSayingWhatIsValid() {
        binding.withPropertyValues("taskqueue.health.lag-status=OUT_OF_SERVICE  # or DOWN")
                .run(context -> rejected(context, "taskqueue.health.lagStatus", "OUT_OF_SERVICE  # or DOWN")
                        .contains("'OUT_OF_SERVICE  # or DOWN' is not a health status: use UP, DOWN, OUT_OF_SERVICE "
                                + "or UNKNOWN, or a status of your own")
                        .endsWith("put the comment on a line of its own"));
    }

    @Test
    void bootsReportNamesThePropertyItsValueWhereItWasSetAndWhatIsValid(CapturedOutput output) {
        SpringApplication application = new SpringApplication(BindsTheProperties.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatException().isThrownBy(() -> application.run("--spring.main.banner-mode=off",
                "--taskqueue.health.lag-status=OUT_OF_SERVICE  # or DOWN"));

        assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: taskqueue.health.lagStatus")
                .contains("Value: \"OUT_OF_SERVICE  # or DOWN\"").contains("from property source \"commandLineArgs\"")
                .contains("Reason: 'OUT_OF_SERVICE  # or DOWN' is not a health status: use UP, DOWN, OUT_OF_SERVICE "
                        + "or UNKNOWN")
                .contains("Update your application's configuration");
    }

    @Test
    void theDefaultRateLimitIsParsedWhenBound() {
        binding.withPropertyValues("taskqueue.rate-limit=100/x").run(context -> rejected(context,
                "taskqueue.rateLimit", "100/x").startsWith("'100/x' is not a rate limit: write it like 100/s"));
    }

    @Test
    void workerQueuesAreParsedWhenBound() {
        binding.withPropertyValues("taskqueue.worker.queues=images:3,default:high").run(context -> rejected(context,
                "taskqueue.worker.queues", List.of("images:3", "default:high")).startsWith("'default:high' must be "
                        + "'name' or 'name:weight' with a valid queue name and a positive whole weight"));
        binding.withPropertyValues("taskqueue.worker.queues=images:0").run(context -> rejected(context,
                "taskqueue.worker.queues", List.of("images:0")).contains("(the weight is 0)"));
    }

    @Test
    void theDefaultQueueMustBeAQueueName() {
        binding.withPropertyValues("taskqueue.default-queue=jobs # the usual one").run(context -> rejected(context,
                "taskqueue.defaultQueue", "jobs # the usual one").contains("A queue name must be 1 to 100 letters"));
    }

    @Test
    void enumPropertiesRefuseValuesTheyDoNotKnow() {
        binding.withPropertyValues("taskqueue.broker=inline # for tests").run(context -> assertThat(context)
                .getFailure().cause().isInstanceOf(BindException.class)
                .hasMessageContaining("taskqueue.broker"));
        binding.withPropertyValues("taskqueue.schedules.digest.missed=run-once # or skip").run(context -> assertThat(
                context).getFailure().cause().isInstanceOf(BindException.class)
                .hasMessageContaining("taskqueue.schedules.digest.missed"));
    }

    @Test
    void aScheduleCronIsParsedWhenBound() {
        binding.withPropertyValues("taskqueue.schedules.digest.cron=0 0 8 * * MON   # on Mondays")
                .run(context -> rejected(context, "taskqueue.schedules.digest.cron", "0 0 8 * * MON   # on Mondays")
                        .contains("is not a cron expression (6 fields"));
    }

    @Test
    void aScheduleZoneMustBeATimeZone() {
        binding.withPropertyValues("taskqueue.schedules.digest.zone=Mars/Olympus").run(context -> rejected(context,
                "taskqueue.schedules.digest.zone", "Mars/Olympus").isEqualTo("'Mars/Olympus' is not a time zone: "
                        + "use a region such as Europe/Paris, or an offset such as UTC or +02:00"));
    }

    @Test
    void aScheduleQueueAndPriorityAreCheckedWhenBound() {
        binding.withPropertyValues("taskqueue.schedules.digest.queue=mail box").run(context -> rejected(context,
                "taskqueue.schedules.digest.queue", "mail box").contains("got 'mail box'"));
        binding.withPropertyValues("taskqueue.schedules.digest.priority=12").run(context -> rejected(context,
                "taskqueue.schedules.digest.priority", 12).isEqualTo("A priority goes from 0 to 9 (most urgent), "
                        + "got 12"));
    }

    @Test
    void validValuesBind() {
        binding.withPropertyValues("taskqueue.health.lag-status=degraded", "taskqueue.rate-limit=10/2s",
                "taskqueue.default-queue=jobs", "taskqueue.worker.queues=images:3,default",
                "taskqueue.schedules.digest.cron=@daily", "taskqueue.schedules.digest.zone=Europe/Paris",
                "taskqueue.schedules.digest.queue=mail", "taskqueue.schedules.digest.priority=9").run(context -> {
                    TaskQueueProperties bound = context.getBean(TaskQueueProperties.class);
                    assertThat(bound.getHealth().getLagStatus()).isEqualTo("degraded");
                    assertThat(bound.getRateLimit()).isEqualTo("10/2s");
                    assertThat(bound.getDefaultQueue()).isEqualTo("jobs");
                    assertThat(bound.getWorker().getQueues()).containsExactly("images:3", "default");
                    TaskQueueSchedulerProperties.ScheduleEntry digest = context
                            .getBean(TaskQueueSchedulerProperties.class).getSchedules().get("digest");
                    assertThat(digest.getCron()).isEqualTo("@daily");
                    assertThat(digest.getZone()).isEqualTo("Europe/Paris");
                    assertThat(digest.getQueue()).isEqualTo("mail");
                    assertThat(digest.getPriority()).isEqualTo(9);
                });
    }

    /**
     * Asserts the startup failed on {@code property} (as Boot's report names it) with this value, and returns the
     * reason the report gives.
     */
    private static AbstractStringAssert<?> rejected(AssertableApplicationContext context, String property,
            Object value) {
        assertThat(context).hasFailed();
        Throwable cause = context.getStartupFailure();
        while (cause != null && !(cause instanceof BindValidationException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("the startup failure's BindValidationException").isNotNull();
        List<ObjectError> errors = ((BindValidationException) cause).getValidationErrors().getAllErrors();
        assertThat(errors).singleElement().isInstanceOf(FieldError.class);
        FieldError error = (FieldError) errors.get(0);
        assertThat(error.getObjectName() + "." + error.getField()).isEqualTo(property);
        assertThat(error.getRejectedValue()).isEqualTo(value);
        return assertThat(error.getDefaultMessage());
    }

    @EnableConfigurationProperties({ TaskQueueProperties.class, TaskQueueSchedulerProperties.class })
    static class BindsTheProperties {

    }
}

package dev.taskqueue.autoconfigure;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.actuate.metrics.TaskQueueMetrics;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class TaskQueuePropertiesTests {

    private final TaskQueueProperties properties = new TaskQueueProperties();

    @Test
    void clientDefaultsEqualTheEngineDefaults() {
        assertThat(properties.getBroker()).isEqualTo(TaskQueueProperties.BrokerType.REDIS);
        assertThat(properties.getDefaultQueue()).isEqualTo(WorkerSettings.DEFAULT_QUEUE)
                .isEqualTo(ClientSettings.DEFAULTS.defaultQueue());
        assertThat(properties.getResultTtl()).isEqualTo(WorkerSettings.DEFAULT_RESULT_TTL)
                .isEqualTo(ClientSettings.DEFAULTS.resultTtl());
        assertThat(properties.getMaxPayloadSize().toBytes()).isEqualTo(ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE);
        assertThat(properties.getKeyPrefix()).isEqualTo(RedisBroker.DEFAULT_KEY_PREFIX);
    }

    @Test
    void deadLetterDefaultsEqualTheEngineDefaults() {
        assertThat(properties.getDeadLetters().getMaxLength()).isEqualTo(RedisBroker.DeadLetterPolicy.DEFAULT.maxLength());
        assertThat(properties.getDeadLetters().getMaxAge()).isEqualTo(RedisBroker.DeadLetterPolicy.DEFAULT.maxAge());
    }

    @Test
    void workerDefaultsEqualTheEngineDefaults() {
        TaskQueueProperties.Worker worker = properties.getWorker();
        WorkerSettings engine = WorkerSettings.builder().build();
        assertThat(worker.isEnabled()).isTrue();
        assertThat(worker.getQueues()).isEmpty();
        assertThat(worker.isStrictOrder()).isEqualTo(engine.strictOrder()).isFalse();
        assertThat(worker.getConcurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(worker.getShutdownTimeout()).isEqualTo(WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(worker.getHeartbeatInterval()).isEqualTo(WorkerSettings.DEFAULT_HEARTBEAT_INTERVAL);
        assertThat(worker.getLivenessTimeout()).isEqualTo(WorkerSettings.DEFAULT_LIVENESS_TIMEOUT);
        assertThat(worker.getVisibilityTimeout()).isEqualTo(WorkerSettings.DEFAULT_VISIBILITY_TIMEOUT);
        assertThat(worker.getMaxDeliveries()).isEqualTo(WorkerSettings.DEFAULT_MAX_DELIVERIES);
        assertThat(worker.getPollTimeout()).isEqualTo(WorkerSettings.DEFAULT_POLL_TIMEOUT);
        assertThat(worker.isVirtualThreads()).isEqualTo(engine.virtualThreads()).isTrue();
    }

    @Test
    void submitsReturnOnceThePrimaryHasTheTaskByDefault() {
        assertThat(properties.getSubmit().getReplicas()).isEqualTo(RedisBroker.Durability.PRIMARY.replicas());
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
        Map<String, JsonNode> defaults = new HashMap<>();
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            JsonMapper.builder().build().readTree(metadata).get("properties")
                    .forEach(property -> defaults.put(property.get("name").asString(), property.get("defaultValue")));
        }
        assertThat(defaults.get("taskqueue.submit.retry.max-attempts").asInt())
                .isEqualTo(SubmitRetry.DEFAULT_MAX_ATTEMPTS);
        assertThat(DurationStyle.detectAndParse(defaults.get("taskqueue.submit.retry.delay").asString()))
                .isEqualTo(SubmitRetry.DEFAULT_DELAY);
        assertThat(defaults.get("taskqueue.submit.retry.multiplier").asDouble())
                .isEqualTo(SubmitRetry.DEFAULT_MULTIPLIER);
        assertThat(DurationStyle.detectAndParse(defaults.get("taskqueue.submit.retry.max-delay").asString()))
                .isEqualTo(SubmitRetry.DEFAULT_MAX_DELAY);
    }

    @Test
    void policyDefaultsEqualTheEngineDefaults() {
        TaskQueueProperties.Retry retry = properties.getRetry();
        assertThat(retry.getMaxRetries()).isEqualTo(RetryPolicy.DEFAULT_MAX_RETRIES);
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
}

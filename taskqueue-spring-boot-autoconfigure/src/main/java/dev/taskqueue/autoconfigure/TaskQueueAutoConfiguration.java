package dev.taskqueue.autoconfigure;

import java.time.Clock;
import java.util.List;
import java.util.Locale;

import dev.taskqueue.RateLimit;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.autoconfigure.TaskQueueProperties.BrokerType;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.CatalogStore;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.client.InlineTaskQueueOperations;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.spring.TaskBeanRegistrar;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of taskqueue: the {@link TaskClient}, the broker chosen by {@code taskqueue.broker}, the
 * registration of {@code @Task} beans, and the worker.
 *
 * <ul>
 * <li>{@code redis} (default): {@link RedisBroker} and {@link RedisResultBackend} on the Lettuce client of the
 * {@link TaskQueueRedisConnectionFactory @TaskQueueRedisConnectionFactory} bean, else of the application's
 * {@code RedisConnectionFactory} (so {@code spring.data.redis.*} decides standalone, Sentinel or Cluster, TLS and
 * credentials);</li>
 * <li>{@code inline}: no broker and no worker; {@link InlineTaskClient} runs tasks in the caller's thread, through a
 * worker's steps ({@link InlineWorker}).</li>
 * </ul>
 * Every bean backs off when the application defines its own. The worker starts once the context is refreshed and
 * stops before the Redis connection factory (see {@link TaskQueueWorkerLifecycle}); the Redis resources close
 * after it, as the beans it depends on.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration" })
@EnableConfigurationProperties(TaskQueueProperties.class)
public final class TaskQueueAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MessageCodec taskQueueMessageCodec(ObjectProvider<JsonMapper> jsonMapper) {
        return new MessageCodec(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
    }

    @Bean
    @ConditionalOnMissingBean
    TaskRegistry taskQueueRegistry(MessageCodec codec, TaskQueueProperties properties) {
        return new TaskRegistry(codec.mapper(), properties.getDefaultQueue());
    }

    /**
     * Every task known: this application's, then those the workers of every service published to the catalog
     * store (none in the inline mode).
     */
    @Bean
    @ConditionalOnMissingBean
    TaskCatalog taskQueueCatalog(TaskRegistry registry, MessageCodec codec, ObjectProvider<CatalogStore> store) {
        return new TaskCatalog(registry, store.getIfAvailable(), codec.mapper(), Clock.systemUTC());
    }

    @Bean
    static TaskBeanRegistrar taskQueueTaskBeanRegistrar(ObjectProvider<TaskRegistry> registry) {
        return new TaskBeanRegistrar(registry::getObject);
    }

    /**
     * Keeps beans with {@code @Task} methods eager under {@code spring.main.lazy-initialization}: a bean created
     * only on first use would leave the worker without its tasks.
     */
    @Bean
    static LazyInitializationExcludeFilter taskQueueTaskBeansExcludeFilter() {
        return (beanName, definition, beanType) -> beanType != null
                && TaskRegistry.hasTaskMethods(ClassUtils.getUserClass(beanType));
    }

    @Bean
    @ConditionalOnMissingBean
    TaskClient taskClient(TaskQueueProperties properties, TaskRegistry registry, TaskCatalog catalog,
            MessageCodec codec,
            ObjectProvider<Broker> broker, ObjectProvider<ResultBackend> resultBackend,
            ObjectProvider<TaskEventListener> listeners, ObjectProvider<TaskInterceptor> interceptors,
            ObjectProvider<TaskQueueWorkerCustomizer> customizers) {
        ClientSettings settings = clientSettings(properties);
        TaskEventListener listener = TaskEventListener.of(listeners.orderedStream().toList());
        List<TaskInterceptor> ordered = interceptors.orderedStream().toList();
        if (properties.getBroker() == BrokerType.INLINE) {
            // Its tasks run as a worker of these settings would run them: their default policies, bounds, customizers.
            return InlineWorker.client(registry, codec, settings,
                    WorkerConfiguration.workerSettings(properties, registry, customizers), listener, ordered,
                    Clock.systemUTC());
        }
        Broker queue = requiredBroker(broker, properties);
        ResultBackend backend = resultBackend.getIfAvailable();
        if (backend == null) {
            throw new IllegalStateException("taskqueue needs a ResultBackend bean to read task results, and there is "
                    + "none: define one beside your own Broker, or remove your Broker bean to get the auto-configured "
                    + "ones.");
        }
        return new DefaultTaskClient(queue, backend, catalog, codec, settings, listener, ordered, Clock.systemUTC());
    }

    /** How tasks are submitted: by the client, and by workers starting the next steps of workflows. */
    static ClientSettings clientSettings(TaskQueueProperties properties) {
        return new ClientSettings(properties.getDefaultQueue(), PropertyChecks.bytes(properties.getMaxPayloadSize()),
                properties.getResultTtl(), properties.getExpiresIn(), properties.getSubmit().isAllowUnknownTasks(),
                properties.getMaxWorkflowTasks());
    }

    /** Operators' actions on the broker; in the inline mode, where no queue holds a task, what is left of them. */
    @Bean
    @ConditionalOnMissingBean
    TaskQueueOperations taskQueueOperations(ObjectProvider<Broker> broker, MessageCodec codec, TaskCatalog catalog,
            TaskQueueProperties properties) {
        if (properties.getBroker() == BrokerType.INLINE) {
            return new InlineTaskQueueOperations(catalog);
        }
        return new DefaultTaskQueueOperations(requiredBroker(broker, properties), codec, catalog,
                clientSettings(properties).maxPayloadSize());
    }

    /** The policies of tasks whose call and declaration leave them unset: {@code taskqueue.retry.*} and friends. */
    static TaskPolicies defaultPolicies(TaskQueueProperties properties) {
        TaskQueueProperties.Retry retry = properties.getRetry();
        RetryPolicy retryPolicy = RetryPolicy.UNSET.withDelay(retry.getDelay()).withMultiplier(retry.getMultiplier())
                .withMaxDelay(retry.getMaxDelay()).withJitter(retry.getJitter());
        if (retry.getMaxRetries() != null) {
            // Only when set: an unset bound lets the retries a task asks for itself fall back to their own bound.
            retryPolicy = retryPolicy.withMaxRetries(retry.getMaxRetries());
        }
        TaskPolicies policies = TaskPolicies.NONE.withRetry(retryPolicy)
                .withTimeLimits(properties.getTimeLimit().getSoft(), properties.getTimeLimit().getHard());
        if (properties.getRateLimit() != null && !properties.getRateLimit().isBlank()) {
            policies = policies.withRateLimit(RateLimit.parse(properties.getRateLimit()));
        }
        if (properties.getConcurrencyLimit() != null) {
            policies = policies.withConcurrency(new TaskPolicies.ConcurrencyLimit(properties.getConcurrencyLimit(),
                    ""));
        }
        return policies;
    }

    /** The broker; without one, an error that says what is missing instead of "no qualifying bean". */
    private static Broker requiredBroker(ObjectProvider<Broker> broker, TaskQueueProperties properties) {
        Broker found = broker.getIfAvailable();
        if (found == null) {
            throw new IllegalStateException("taskqueue has no Broker: taskqueue.broker=" + properties.getBroker()
                    .name().toLowerCase(Locale.ROOT) + " needs Spring Data Redis with Lettuce on the class "
                    + "path (use dev.taskqueue:taskqueue-spring-boot-starter, or add spring-boot-starter-data-redis), "
                    + "or set taskqueue.broker=inline (tasks run in the caller's thread), or define a Broker bean.");
        }
        return found;
    }

    /** What the worker runs: every @Task method of this application, on the broker of this configuration. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(QueueBrokerCondition.class)
    @ConditionalOnBooleanProperty(name = "taskqueue.worker.enabled", matchIfMissing = true)
    static class WorkerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TaskQueueWorkerLifecycle taskQueueWorkerLifecycle(TaskQueueProperties properties, ObjectProvider<Broker> broker,
                TaskCatalog catalog, MessageCodec codec, ObjectProvider<TaskQueueWorkerCustomizer> customizers,
                ObjectProvider<TaskEventListener> listeners, ObjectProvider<TaskInterceptor> interceptors) {
            return new TaskQueueWorkerLifecycle(() -> {
                Broker queue = requiredBroker(broker, properties);
                TaskEventListener listener = TaskEventListener.of(listeners.orderedStream().toList());
                List<TaskInterceptor> ordered = interceptors.orderedStream().toList();
                WorkerSettings settings = workerSettings(properties, catalog.registry(), customizers);
                // The next steps of workflows are submitted with the application's client settings, whatever
                // TaskClient bean it has.
                return new Worker(queue, catalog, codec, settings, listener, ordered,
                        DefaultTaskClient.workflowEngine(queue, catalog, codec, clientSettings(properties), ordered,
                                listener, Clock.systemUTC()), Clock.systemUTC());
            }, properties.getWorker().isKeepAlive(), properties.getWorker().isAutoStartup());
        }

        /**
         * The worker's settings: the properties, then the customizers. Built when the worker starts, once every
         * task bean registered its queues.
         */
        static WorkerSettings workerSettings(TaskQueueProperties properties, TaskRegistry registry,
                ObjectProvider<TaskQueueWorkerCustomizer> customizers) {
            TaskQueueProperties.Worker worker = properties.getWorker();
            WorkerSettings.Builder builder = WorkerSettings.builder()
                    .strictOrder(worker.isStrictOrder())
                    .concurrency(worker.getConcurrency())
                    .shutdownTimeout(worker.getShutdownTimeout())
                    .heartbeatInterval(worker.getHeartbeatInterval())
                    .livenessTimeout(worker.getLivenessTimeout())
                    .visibilityTimeout(worker.getVisibilityTimeout())
                    .maxDeliveries(worker.getMaxDeliveries())
                    .pollTimeout(worker.getPollTimeout())
                    .resultTtl(properties.getResultTtl())
                    .maxResultSize(PropertyChecks.bytes(properties.getMaxResultSize()))
                    .maxTextSize(PropertyChecks.bytes(properties.getMaxTextSize()))
                    .maxStackTraceSize(PropertyChecks.bytes(properties.getMaxStackTraceSize()))
                    .virtualThreads(worker.isVirtualThreads())
                    .onFatalError(worker.getOnFatalError())
                    .defaultPolicies(defaultPolicies(properties));
            if (worker.getQueues().isEmpty()) {
                registry.declaredQueues().forEach(builder::queue);
            }
            else {
                worker.getQueues().stream().map(PropertyChecks::weightedQueue)
                        .forEach(queue -> builder.queue(queue.name(), queue.weight()));
            }
            customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
            return builder.build();
        }
    }

    /** {@code taskqueue.broker=redis}: Redis Streams through the application's Lettuce client. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RedisConnectionFactory.class)
    @ConditionalOnProperty(name = "taskqueue.broker", havingValue = "redis", matchIfMissing = true)
    static class RedisBrokerConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        RedisConnections taskQueueRedisConnections(
                @TaskQueueRedisConnectionFactory ObjectProvider<RedisConnectionFactory> taskQueueConnectionFactory,
                ObjectProvider<RedisConnectionFactory> connectionFactory) {
            RedisConnectionFactory factory = taskQueueConnectionFactory.getIfAvailable(connectionFactory::getIfAvailable);
            return LettuceClients.connections(factory);
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(Broker.class)
        RedisBroker taskQueueBroker(RedisConnections connections, TaskQueueProperties properties) {
            TaskQueueProperties.DeadLetters deadLetters = properties.getDeadLetters();
            TaskQueueProperties.Submit submit = properties.getSubmit();
            TaskQueueProperties.Submit.Retry retry = submit.getRetry();
            return new RedisBroker(connections, properties.getKeyPrefix(),
                    new RedisBroker.DeadLetterPolicy(deadLetters.getMaxLength(), deadLetters.getMaxAge(),
                            PropertyChecks.bytes(deadLetters.getMaxQuarantinedSize())),
                    new RedisBroker.Durability(submit.getReplicas(), submit.getReplicaTimeout()),
                    new SubmitRetry(retry.getMaxAttempts(), retry.getDelay(), retry.getMultiplier(),
                            retry.getMaxDelay()));
        }

        @Bean
        @ConditionalOnMissingBean(CatalogStore.class)
        @ConditionalOnBean(RedisBroker.class)
        RedisCatalog taskQueueCatalogStore(RedisBroker broker) {
            return new RedisCatalog(broker);
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(ResultBackend.class)
        @ConditionalOnBean(RedisBroker.class)
        RedisResultBackend taskQueueResultBackend(RedisBroker broker, TaskQueueProperties properties) {
            return new RedisResultBackend(broker, properties.getResultTtl());
        }
    }

    /** Matches unless {@code taskqueue.broker=inline}, which has no queue to consume. */
    static class QueueBrokerCondition extends NoneNestedConditions {

        QueueBrokerCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(name = "taskqueue.broker", havingValue = "inline")
        static class Inline {

        }
    }
}

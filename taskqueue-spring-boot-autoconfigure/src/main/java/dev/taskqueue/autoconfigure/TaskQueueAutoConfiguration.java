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
import dev.taskqueue.ValueMasker;
import dev.taskqueue.autoconfigure.TaskQueueProperties.BrokerType;
import dev.taskqueue.autoconfigure.transaction.OutboxSubmitTransactions;
import dev.taskqueue.autoconfigure.transaction.SpringSubmitTransactions;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.CatalogStore;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.client.SubmitTransactions;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.client.InlineTaskQueueOperations;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.Masking;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.redis.RedisQueueBrowser;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.RedisSchedules;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.RedisTaskHistory;
import dev.taskqueue.redis.RedisWorkflows;
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
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of taskqueue: the {@link TaskClient}, the stores chosen by {@code taskqueue.broker}, the
 * registration of {@code @Task} beans, and the worker.
 *
 * <ul>
 * <li>{@code redis} (default): {@link RedisStores} on the Lettuce client of the
 * {@link TaskQueueRedisConnectionFactory @TaskQueueRedisConnectionFactory} bean, else of the application's
 * {@code RedisConnectionFactory} (so {@code spring.data.redis.*} decides standalone, Sentinel or Cluster, TLS and
 * credentials), and each of its stores as a bean of its own: the {@link Broker}, the {@link QueueAdmin}, the
 * {@link ResultBackend}, the {@link WorkflowStore}, the {@link ScheduleStore} and the {@link CatalogStore};</li>
 * <li>{@code inline}: no store and no worker; {@link InlineTaskClient} runs tasks in the caller's thread, through a
 * worker's steps ({@link InlineWorker}).</li>
 * </ul>
 * Every bean backs off when the application defines its own: a store of its own (a wrapper of one of ours, say)
 * replaces that store alone. The worker starts once the context is refreshed and
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

    /** Shows {@link dev.taskqueue.Sensitive} values as {@value ValueMasker#MASK}. */
    @Bean
    @ConditionalOnMissingBean
    ValueMasker taskQueueValueMasker() {
        return ValueMasker.DEFAULT;
    }

    @Bean
    @ConditionalOnMissingBean
    Masking taskQueueMasking(TaskCatalog catalog, ValueMasker masker, MessageCodec codec) {
        return new Masking(catalog, masker, codec.mapper());
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
            MessageCodec codec, ObjectProvider<Broker> broker, ObjectProvider<ResultBackend> resultBackend,
            ObjectProvider<WorkflowStore> workflowStore, ObjectProvider<QueueAdmin> admin,
            ObjectProvider<TaskEventListener> listeners, ObjectProvider<TaskInterceptor> interceptors,
            ObjectProvider<TaskQueueWorkerCustomizer> customizers, ObjectProvider<SubmitTransactions> transactions) {
        ClientSettings settings = clientSettings(properties);
        TaskEventListener listener = TaskEventListener.of(listeners.orderedStream().toList());
        List<TaskInterceptor> ordered = interceptors.orderedStream().toList();
        if (properties.getBroker() == BrokerType.INLINE) {
            // Its tasks run as a worker of these settings would run them: their default policies, bounds, customizers.
            return InlineWorker.client(registry, codec, settings,
                    WorkerConfiguration.workerSettings(properties, registry, customizers), listener, ordered,
                    Clock.systemUTC());
        }
        return new DefaultTaskClient(required(broker, Broker.class, properties),
                required(resultBackend, ResultBackend.class, properties),
                required(workflowStore, WorkflowStore.class, properties), required(admin, QueueAdmin.class, properties),
                catalog, codec, settings, listener, ordered, Clock.systemUTC())
                .withTransactions(transactions.getIfAvailable(() -> SubmitTransactions.NONE));
    }

    /**
     * Submits made inside a Spring-managed transaction wait for it ({@code taskqueue.submit.transactions}): sent after
     * the commit, or through the outbox when the application has one.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(TransactionSynchronizationManager.class)
    @ConditionalOnProperty(name = "taskqueue.broker", havingValue = "redis", matchIfMissing = true)
    static class TransactionsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        SubmitTransactions taskQueueSubmitTransactions(TaskQueueProperties properties, ObjectProvider<Broker> broker,
                ObjectProvider<WorkflowStore> workflowStore, ObjectProvider<TaskEventListener> listeners,
                ObjectProvider<OutboxSubmitTransactions> outbox) {
            SubmissionSender sender = new SubmissionSender(required(broker, Broker.class, properties),
                    required(workflowStore, WorkflowStore.class, properties),
                    TaskEventListener.of(listeners.orderedStream().toList()));
            return new SpringSubmitTransactions(properties.getSubmit().getTransactions(), sender,
                    outbox.getIfAvailable());
        }
    }

    /**
     * How a worker of these properties runs tasks (their default policies, bounds, customizers): for other transports
     * that run this application's tasks through the worker's steps, such as Celery's.
     */
    public static WorkerSettings workerSettings(TaskQueueProperties properties, TaskRegistry registry,
            ObjectProvider<TaskQueueWorkerCustomizer> customizers) {
        return WorkerConfiguration.workerSettings(properties, registry, customizers);
    }

    /** How tasks are submitted: by the client, and by workers starting the next steps of workflows. */
    public static ClientSettings clientSettings(TaskQueueProperties properties) {
        return new ClientSettings(properties.getDefaultQueue(), PropertyChecks.bytes(properties.getMaxPayloadSize()),
                properties.getResultTtl(), properties.getExpiresIn(), properties.getSubmit().isAllowUnknownTasks(),
                properties.getMaxWorkflowTasks());
    }

    /** Operators' actions on the queues; in the inline mode, where no queue holds a task, what is left of them. */
    @Bean
    @ConditionalOnMissingBean
    TaskQueueOperations taskQueueOperations(ObjectProvider<QueueAdmin> admin, MessageCodec codec, TaskCatalog catalog,
            TaskQueueProperties properties) {
        if (properties.getBroker() == BrokerType.INLINE) {
            return new InlineTaskQueueOperations(catalog);
        }
        return new DefaultTaskQueueOperations(required(admin, QueueAdmin.class, properties), codec, catalog,
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

    /** A store; without one, an error that says what is missing instead of "no qualifying bean". */
    private static <T> T required(ObjectProvider<T> store, Class<T> type, TaskQueueProperties properties) {
        T found = store.getIfAvailable();
        if (found == null) {
            throw new IllegalStateException("taskqueue has no " + type.getSimpleName() + ": taskqueue.broker="
                    + properties.getBroker().name().toLowerCase(Locale.ROOT) + " needs Spring Data Redis with Lettuce "
                    + "on the class path (use dev.taskqueue:taskqueue-spring-boot-starter, or add "
                    + "spring-boot-starter-data-redis), or set taskqueue.broker=inline (tasks run in the caller's "
                    + "thread), or define a " + type.getSimpleName() + " bean.");
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
                ObjectProvider<WorkflowStore> workflowStore, TaskCatalog catalog, MessageCodec codec,
                ObjectProvider<TaskQueueWorkerCustomizer> customizers, ObjectProvider<TaskEventListener> listeners,
                ObjectProvider<TaskInterceptor> interceptors) {
            return new TaskQueueWorkerLifecycle(() -> {
                Broker queue = required(broker, Broker.class, properties);
                WorkflowStore workflows = required(workflowStore, WorkflowStore.class, properties);
                TaskEventListener listener = TaskEventListener.of(listeners.orderedStream().toList());
                List<TaskInterceptor> ordered = interceptors.orderedStream().toList();
                WorkerSettings settings = workerSettings(properties, catalog.registry(), customizers);
                // The next steps of workflows are submitted with the application's client settings, whatever
                // TaskClient bean it has.
                return new Worker(queue, catalog, codec, settings, listener, ordered,
                        DefaultTaskClient.workflowEngine(queue, workflows, catalog, codec, clientSettings(properties),
                                ordered, listener, Clock.systemUTC()), Clock.systemUTC());
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
                    .defaultPolicies(defaultPolicies(properties))
                    .history(properties.getHistory().isEnabled())
                    .historyRetention(properties.getHistory().getMinutesRetention(),
                            properties.getHistory().getHoursRetention());
            // Unset, each keeps the engine's default: concurrency adapts unless concurrency alone is set.
            if (worker.getConcurrency() != null) {
                builder.concurrency(worker.getConcurrency());
            }
            if (worker.getMaxConcurrency() != null) {
                builder.maxConcurrency(worker.getMaxConcurrency());
            }
            if (worker.getAdaptiveConcurrency() != null) {
                builder.adaptiveConcurrency(worker.getAdaptiveConcurrency());
            }
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

        /** Every store on one Redis; closed after the worker (whose beans depend on it), before the connections. */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        RedisStores taskQueueRedisStores(RedisConnections connections, TaskQueueProperties properties) {
            TaskQueueProperties.DeadLetters deadLetters = properties.getDeadLetters();
            TaskQueueProperties.Submit submit = properties.getSubmit();
            TaskQueueProperties.Submit.Retry retry = submit.getRetry();
            return new RedisStores(connections, properties.getKeyPrefix(), new RedisStores.Options(
                    new RedisStores.DeadLetterPolicy(deadLetters.getMaxLength(), deadLetters.getMaxAge(),
                            PropertyChecks.bytes(deadLetters.getMaxQuarantinedSize())),
                    new RedisStores.Durability(submit.getReplicas(), submit.getReplicaTimeout()),
                    new SubmitRetry(retry.getMaxAttempts(), retry.getDelay(), retry.getMultiplier(),
                            retry.getMaxDelay()),
                    properties.getResultTtl()));
        }

        /** Closed with the stores. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean(Broker.class)
        RedisBroker taskQueueBroker(RedisStores stores) {
            return stores.broker();
        }

        @Bean
        @ConditionalOnMissingBean(QueueAdmin.class)
        RedisQueueAdmin taskQueueAdmin(RedisStores stores) {
            return stores.admin();
        }

        /** Closed with the stores. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean(ResultBackend.class)
        RedisResultBackend taskQueueResultBackend(RedisStores stores) {
            return stores.results();
        }

        @Bean
        @ConditionalOnMissingBean(WorkflowStore.class)
        RedisWorkflows taskQueueWorkflowStore(RedisStores stores) {
            return stores.workflows();
        }

        @Bean
        @ConditionalOnMissingBean(ScheduleStore.class)
        RedisSchedules taskQueueScheduleStore(RedisStores stores) {
            return stores.schedules();
        }

        @Bean
        @ConditionalOnMissingBean(CatalogStore.class)
        RedisCatalog taskQueueCatalogStore(RedisStores stores) {
            return stores.catalog();
        }

        @Bean
        @ConditionalOnMissingBean(QueueBrowser.class)
        RedisQueueBrowser taskQueueBrowser(RedisStores stores) {
            return stores.browser();
        }

        @Bean
        @ConditionalOnMissingBean(TaskHistory.class)
        RedisTaskHistory taskQueueHistory(RedisStores stores) {
            return stores.history();
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

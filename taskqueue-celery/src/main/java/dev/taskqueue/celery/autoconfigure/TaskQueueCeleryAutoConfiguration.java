package dev.taskqueue.celery.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.autoconfigure.TaskQueueRedisConnectionFactory;
import dev.taskqueue.autoconfigure.TaskQueueWorkerCustomizer;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Celery's protocol, when {@code taskqueue.celery.queues} names Celery queues: the application's {@link TaskClient}
 * sends calls to them in Celery's format, and, when {@code taskqueue.celery.worker.queues} names some of them, a Java
 * worker runs their messages on the application's {@code @Task} methods. Both on the Redis of
 * {@code spring.data.redis.*} (or the factory qualified {@link TaskQueueRedisConnectionFactory}), which the Python side
 * uses as its broker and result backend.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class)
@ConditionalOnClass(LettuceConnectionFactory.class)
@Conditional(TaskQueueCeleryAutoConfiguration.CeleryQueuesCondition.class)
@EnableConfigurationProperties(TaskQueueCeleryProperties.class)
public final class TaskQueueCeleryAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    CeleryInterop taskQueueCeleryInterop(TaskQueueCeleryProperties properties,
            @TaskQueueRedisConnectionFactory ObjectProvider<RedisConnectionFactory> taskQueueConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, TaskRegistry registry, MessageCodec codec) {
        RedisConnectionFactory factory = taskQueueConnectionFactory.getIfAvailable(connectionFactory::getIfAvailable);
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("taskqueue.celery.queues is set, so Celery's protocol needs Redis through "
                    + "Lettuce, but the RedisConnectionFactory is " + (factory == null ? "missing"
                            : "a " + factory.getClass().getName()) + ". Add spring-boot-starter-data-redis and point "
                    + "spring.data.redis.* at the Redis the Python side uses as broker and result backend.");
        }
        if (!lettuce.isRunning()) {
            lettuce.start();
        }
        CeleryInterop.Options options = new CeleryInterop.Options(properties.getQueues(), properties.getRoutes(),
                properties.getDefaultQueue(), properties.getResultExpires(), lettuce.getDatabase(),
                lettuce.getHostName(), lettuce.getPort());
        return new CeleryInterop(lettuce::getRequiredNativeClient, Duration.ofMillis(lettuce.getTimeout()), options,
                registry, codec);
    }

    /**
     * Taskqueue's own worker leaves Celery queues alone: a {@code @Task} declared on one is run by the Celery worker,
     * and a stream of that name would stay empty.
     */
    @Bean
    TaskQueueWorkerCustomizer taskQueueCeleryQueuesCustomizer(TaskQueueCeleryProperties properties) {
        return builder -> properties.getQueues().forEach(builder::withoutQueue);
    }

    /** Wraps whatever {@link TaskClient} the application has, so that calls to Celery queues speak Celery. */
    @Bean
    static BeanPostProcessor taskQueueCeleryClientPostProcessor(ObjectProvider<CeleryInterop> interop) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof TaskClient client ? interop.getObject().client(client) : bean;
            }
        };
    }

    /** The Java worker on Celery queues, when {@code taskqueue.celery.worker.queues} names some. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(CeleryWorkerQueuesCondition.class)
    static class WorkerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        CeleryWorkerLifecycle taskQueueCeleryWorkerLifecycle(CeleryInterop interop,
                TaskQueueCeleryProperties celery, TaskQueueProperties properties, TaskCatalog catalog,
                MessageCodec codec, ObjectProvider<Broker> broker, ObjectProvider<WorkflowStore> workflowStore,
                ObjectProvider<TaskQueueWorkerCustomizer> customizers, ObjectProvider<TaskEventListener> listeners,
                ObjectProvider<TaskInterceptor> interceptors) {
            TaskQueueCeleryProperties.Worker worker = celery.getWorker();
            return new CeleryWorkerLifecycle(() -> {
                TaskEventListener listener = TaskEventListener.of(listeners.orderedStream().toList());
                List<TaskInterceptor> ordered = interceptors.orderedStream().toList();
                Broker queue = broker.getIfAvailable();
                WorkflowStore workflows = workflowStore.getIfAvailable();
                if (queue == null || workflows == null) {
                    throw new IllegalStateException("taskqueue.celery.worker.queues is set, but taskqueue has no "
                            + "Redis broker (taskqueue.broker=inline?): a Celery worker runs on Redis; remove "
                            + "taskqueue.celery.worker.queues from this profile, or use taskqueue.broker=redis");
                }
                TaskRegistry registry = catalog.registry();
                String nodename = worker.getNodename() != null ? worker.getNodename()
                        : "java-" + ProcessHandle.current().pid() + "@" + hostname();
                return interop.worker(new CeleryInterop.WorkerOptions(nodename, worker.getQueues(),
                        worker.getConcurrency(), worker.isTrackStarted(), worker.isSendTaskEvents(),
                        worker.getHeartbeat(), worker.getVisibilityTimeout(), worker.getLiveness(),
                        worker.isRemoteControl()), TaskQueueAutoConfiguration.workerSettings(properties, registry,
                                customizers), listener, ordered,
                        DefaultTaskClient.workflowEngine(queue, workflows, catalog, codec,
                                TaskQueueAutoConfiguration.clientSettings(properties), ordered, listener,
                                Clock.systemUTC()));
            }, worker.getShutdownTimeout(), properties.getWorker().isKeepAlive());
        }

        private static String hostname() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            }
            catch (java.net.UnknownHostException ex) {
                return "localhost";
            }
        }
    }

    /** {@code taskqueue.celery.queues} names at least one queue (as a list or comma-separated). */
    static class CeleryQueuesCondition extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return listed(context, "taskqueue.celery.queues");
        }

        static ConditionOutcome listed(ConditionContext context, String property) {
            List<String> queues = Binder.get(context.getEnvironment()).bind(property, Bindable.listOf(String.class))
                    .orElse(List.of());
            return queues.isEmpty() ? ConditionOutcome.noMatch(property + " is not set")
                    : ConditionOutcome.match(property + " is " + queues);
        }
    }

    /** {@code taskqueue.celery.worker.queues} names at least one queue. */
    static class CeleryWorkerQueuesCondition extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return CeleryQueuesCondition.listed(context, "taskqueue.celery.worker.queues");
        }
    }
}

package dev.taskqueue.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskState;
import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;
import dev.taskqueue.ValueMasker;
import dev.taskqueue.Workflows;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.client.InlineTaskQueueOperations;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.Masking;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.RedisSchedules;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.RedisWorkflows;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.RedisStates;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

class TaskQueueAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis());

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void taskRunsEndToEndOnRedis() {
        runner.withBean(TestTasks.Greeter.class).run(context -> {
            assertThat(context).hasSingleBean(RedisStores.class).hasSingleBean(RedisBroker.class)
                    .hasSingleBean(RedisQueueAdmin.class).hasSingleBean(RedisResultBackend.class)
                    .hasSingleBean(RedisWorkflows.class).hasSingleBean(RedisSchedules.class)
                    .hasSingleBean(RedisCatalog.class).hasSingleBean(TaskQueueWorkerLifecycle.class);
            RedisStores stores = context.getBean(RedisStores.class);
            assertThat(context.getBean(Broker.class)).isSameAs(stores.broker());
            assertThat(context.getBean(QueueAdmin.class)).isSameAs(stores.admin());
            assertThat(context.getBean(QueueBrowser.class)).isSameAs(stores.browser());
            assertThat(context.getBean(TaskHistory.class)).isSameAs(stores.history());
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            assertThat(handle.get(WAIT)).isEqualTo("Hello Ada");
        });
    }

    @Test
    void sensitiveValuesAreMaskedByDefaultAndByTheUsersMasker() {
        runner.withBean(SignIn.class).run(context -> {
            assertThat(context.getBean(ValueMasker.class)).isSameAs(ValueMasker.DEFAULT);
            assertThat(context.getBean(Masking.class).arguments("test.signIn", "[\"ada\",\"s3cret\"]"))
                    .isEqualTo("[\"ada\",\"******\"]");
            assertThat(context.getBean(Masking.class).arguments("unknown", "[1]")).isEqualTo("[1]");
        });
        ValueMasker hidden = (task, path, value) -> tools.jackson.databind.node.StringNode.valueOf("hidden");
        runner.withBean(SignIn.class).withBean(ValueMasker.class, () -> hidden).run(context -> assertThat(
                context.getBean(Masking.class).arguments("test.signIn", "[\"ada\",\"s3cret\"]"))
                .isEqualTo("[\"ada\",\"hidden\"]"));
    }

    @Test
    void browserAndHistoryBackOffWhenTheUserDefinesThem() {
        QueueBrowser browser = (QueueBrowser) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { QueueBrowser.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> 1;
                    case "toString" -> "the application's browser";
                    default -> null;
                });
        TaskHistory history = (resolution, from, to, queue, task) -> List.of();
        runner.withBean(QueueBrowser.class, () -> browser).withBean(TaskHistory.class, () -> history)
                .run(context -> {
                    assertThat(context.getBean(QueueBrowser.class)).isSameAs(browser);
                    assertThat(context.getBean(TaskHistory.class)).isSameAs(history);
                });
    }

    /** Boot's defaults leave taskqueue.retry.max-retries unset, so a task's own retry request has its own bound. */
    @Test
    void aTaskThatAsksForARetryIsRetriedWithTheDefaultProperties() {
        runner.withBean(TestTasks.Retrier.class).run(context -> {
            TaskHandle<Integer> handle = context.getBean(TaskClient.class).submit(TestTasks.Retrier::retryTwice);
            assertThat(handle.get(WAIT)).isEqualTo(3);
        });
    }

    /** An explicit taskqueue.retry.max-retries bounds the retries a task asks for, too. */
    @Test
    void theRetriesATaskAsksForAreBoundedByAnExplicitMaxRetries() {
        runner.withBean(TestTasks.Retrier.class).withPropertyValues("taskqueue.retry.max-retries=1").run(context -> {
            TaskHandle<Integer> handle = context.getBean(TaskClient.class).submit(TestTasks.Retrier::retryTwice);
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));
            assertThat(handle.info().attempt()).isEqualTo(2);
        });
    }

    /** The worker starts the next step of a chain with the properties, not with whatever its client bean is. */
    @Test
    void workflowStepsFollowTheClientPropertiesWhateverTheTaskClientBean() {
        runner.withUserConfiguration(WrappedClientConfiguration.class)
                .withPropertyValues("taskqueue.expires-in=2s").run(context -> {
                    QueueAdmin admin = context.getBean(QueueAdmin.class);
                    admin.pause("failing");
                    TaskHandle<Void> second = context.getBean(TaskClient.class).submit(Workflows.chain(
                            TaskCall.of(TestTasks.Greeter::greet, "Ada"), TaskCall.of(TestTasks.Greeter::fail)
                                    .immutable()));
                    await().atMost(WAIT).until(() -> admin.stats("default").processedLastMinute() == 1);
                    Thread.sleep(2_500); // the second step, waiting in its paused queue, outlives its expiry

                    admin.resume("failing");

                    await().atMost(WAIT).until(() -> second.state().isFinished());
                    assertThat(second.state()).isEqualTo(TaskState.REVOKED);
                    assertThat(second.info().error().message()).contains("expired");
                });
    }

    @Test
    void tasksKeepRunningAfterTheConnectionFactoryIsRestarted() {
        runner.withBean(TestTasks.Greeter.class).run(context -> {
            TaskClient client = context.getBean(TaskClient.class);
            assertThat(client.submit(TestTasks.Greeter::greet, "before").get(WAIT)).isEqualTo("Hello before");

            // Stopping the factory shuts its Lettuce client down; starting it creates a new one.
            LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
            factory.stop();
            factory.start();

            assertThat(client.submit(TestTasks.Greeter::greet, "after").get(WAIT)).isEqualTo("Hello after");
        });
    }

    @Test
    void aRunningTaskIsStillInterruptedByItsRevocationAfterTheConnectionFactoryIsRestarted() {
        runner.withBean(TestTasks.Sleeper.class).run(context -> {
            LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
            factory.stop(); // closes the worker's subscription with the old client
            await().atMost(WAIT).until(() -> revocationListeners() == 0);
            factory.start();
            await().atMost(WAIT).until(() -> revocationListeners() == 1); // subscribed again at a heartbeat

            TestTasks.Sleeper sleeper = context.getBean(TestTasks.Sleeper.class);
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Sleeper::sleep, 30_000L);
            assertThat(sleeper.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            handle.revoke(true);

            assertThat(sleeper.interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        });
    }

    private static long revocationListeners() {
        return SharedRedis.admin().sync().pubsubNumsub("taskqueue:revoke").get("taskqueue:revoke");
    }

    @Test
    void taskBeansStayEagerUnderLazyInitialization() {
        runner.withBean(LazyInitializationBeanFactoryPostProcessor.class).withBean(TestTasks.Greeter.class)
                .run(context -> {
                    TaskHandle<String> handle = context.getBean(TaskClient.class)
                            .submit(TestTasks.Greeter::greet, "Ada");
                    assertThat(handle.get(WAIT)).isEqualTo("Hello Ada");
                });
    }

    @Test
    void messageCodecUsesTheApplicationJsonMapper() {
        runner.run(context -> assertThat(context.getBean(MessageCodec.class).mapper())
                .isSameAs(context.getBean(JsonMapper.class)));
    }

    @Test
    void workerConsumesTheDefaultQueueAndEveryDeclaredQueue() {
        runner.withBean(TestTasks.Greeter.class).run(context -> assertThat(worker(context).settings().queueNames())
                .containsExactly("default", "failing"));
    }

    @Test
    void workerConsumesTheConfiguredQueuesWithTheirWeights() {
        runner.withPropertyValues("taskqueue.worker.queues=critical:3,default")
                .run(context -> assertThat(worker(context).settings().queues())
                        .containsExactly(Map.entry("critical", 3), Map.entry("default", 1)));
    }

    @Test
    void policyDefaultsFromPropertiesApplyToTasksThatSetNone() {
        runner.withBean(TestTasks.Greeter.class).withPropertyValues("taskqueue.retry.max-retries=2",
                "taskqueue.retry.delay=50ms").run(context -> {
                    TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
                    assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));
                    assertThat(handle.info().attempt()).isEqualTo(3);
                });
    }

    @Test
    void interceptorBeansRunAroundSubmitInOrder() {
        runner.withBean(TestTasks.Greeter.class).withUserConfiguration(Interceptors.class).run(context -> {
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::header, "trail");
            assertThat(handle.get(WAIT)).isEqualTo("first,second");
        });
    }

    @Test
    void operationsAreAvailableInEveryMode() {
        runner.run(context -> assertThat(context.getBean(TaskQueueOperations.class))
                .isInstanceOf(DefaultTaskQueueOperations.class));
        runner.withPropertyValues("taskqueue.broker=inline").run(context -> assertThat(context
                .getBean(TaskQueueOperations.class)).isInstanceOf(InlineTaskQueueOperations.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Interceptors {

        @Bean
        @Order(2)
        TaskInterceptor second() {
            return trail("second");
        }

        @Bean
        @Order(1)
        TaskInterceptor first() {
            return trail("first");
        }

        private static TaskInterceptor trail(String name) {
            return new TaskInterceptor() {
                @Override
                public TaskOptions beforeSubmit(TaskCall<?> call, TaskOptions options) {
                    String before = options.getHeaders().get("trail");
                    return options.header("trail", before == null ? name : before + "," + name);
                }
            };
        }
    }

    @Test
    void submitsWaitForTheConfiguredReplicas() {
        runner.withPropertyValues("taskqueue.submit.replicas=1", "taskqueue.submit.replica-timeout=100ms",
                "taskqueue.worker.enabled=false").withBean(TestTasks.Greeter.class)
                .run(context -> assertThatExceptionOfType(ReplicationException.class)
                        .isThrownBy(() -> context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada"))
                        .withMessageContaining("0 of 1 replica(s)"));
    }

    @Test
    void submitsTryAgainAsConfigured() {
        runner.withPropertyValues("spring.data.redis.port=" + RedisStates.deadPort(),
                "taskqueue.submit.retry.max-attempts=3", "taskqueue.submit.retry.delay=10ms",
                "taskqueue.worker.enabled=false").withBean(TestTasks.Greeter.class)
                .run(context -> assertThatExceptionOfType(BrokerUnavailableException.class)
                        .isThrownBy(() -> context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada"))
                        .withMessageContaining("Gave up after 3 attempts"));
    }

    @Test
    void workerIsNotCreatedWhenDisabled() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").withBean(TestTasks.Greeter.class)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(TaskQueueWorkerLifecycle.class);
                    TaskHandle<String> handle = context.getBean(TaskClient.class)
                            .submit(TestTasks.Greeter::greet, "Ada");
                    assertThat(handle.state()).isEqualTo(TaskState.PENDING);
                    assertThat(context.getBean(QueueAdmin.class).stats("default").pending()).isEqualTo(1);
                });
    }

    @Test
    void duplicateTaskNamesFailStartupNamingBothMethods() {
        runner.withBean(TestTasks.Greeter.class).withBean(TestTasks.DuplicateGreeter.class)
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(TaskDefinitionException.class)
                        .hasMessageContaining("test.greet")
                        .hasMessageContaining("Greeter.greet(")
                        .hasMessageContaining("DuplicateGreeter.greetAgain("));
    }

    @Test
    void parameterThatCannotTravelFailsStartupNamingBeanAndMethod() {
        runner.withBean("streamTaker", TestTasks.StreamTaker.class, TestTasks.StreamTaker::new)
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(TaskDefinitionException.class)
                        .hasMessageContaining("bean 'streamTaker'")
                        .hasMessageContaining("StreamTaker.take(")
                        .hasMessageContaining("parameter 'input'"));
    }

    @Test
    void taskBeanThatIsNotASingletonFailsNamingTheBean() {
        runner.withBean("prototypeGreeter", TestTasks.Greeter.class, TestTasks.Greeter::new,
                definition -> definition.setScope("prototype")).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThatExceptionOfType(BeanCreationException.class)
                            .isThrownBy(() -> context.getBean("prototypeGreeter"))
                            .havingRootCause().isInstanceOf(TaskDefinitionException.class)
                            .withMessageContaining("'prototypeGreeter'").withMessageContaining("not a singleton");
                });
    }

    @Test
    void userDefinedTaskClientWins() {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().build());
        TaskClient mine = InlineWorker.client(new TaskRegistry(codec.mapper(), "default"), codec,
                ClientSettings.DEFAULTS, WorkerSettings.builder().build(), TaskEventListener.of(List.of()), List.of(),
                Clock.systemUTC());
        runner.withBean(TaskClient.class, () -> mine)
                .run(context -> assertThat(context.getBean(TaskClient.class)).isSameAs(mine));
    }

    /**
     * The application's own stores (here on keys of their own) are those the client and the worker use: every store
     * bean is theirs.
     */
    @Test
    void userDefinedStoresWinAndServeClientAndWorker() {
        try (SharedRedisStores mine = new SharedRedisStores("mine")) {
            runner.withBean(RedisStores.class, () -> mine.stores).withBean(TestTasks.Greeter.class).run(context -> {
                assertThat(context.getBean(Broker.class)).isSameAs(mine.stores.broker());
                assertThat(context.getBean(QueueAdmin.class)).isSameAs(mine.admin);
                assertThat(context.getBean(ResultBackend.class)).isSameAs(mine.results);
                assertThat(context.getBean(WorkflowStore.class)).isSameAs(mine.stores.workflows());
                assertThat(context.getBean(TaskClient.class)).isInstanceOf(DefaultTaskClient.class);
                assertThat(context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Bob").get(WAIT))
                        .isEqualTo("Hello Bob");
                assertThat(SharedRedis.admin().sync().keys("{mine:default}:*")).isNotEmpty();
                assertThat(SharedRedis.admin().sync().keys("{taskqueue:*")).isEmpty();
            });
        }
    }

    /** A store of the application's own (here a broker of other stores) replaces that store alone. */
    @Test
    void aStoreOfTheApplicationsOwnReplacesThatStoreAlone() {
        try (SharedRedisStores mine = new SharedRedisStores()) {
            runner.withBean(Broker.class, () -> mine.stores.broker()).withBean(TestTasks.Greeter.class)
                    .run(context -> {
                        RedisStores stores = context.getBean(RedisStores.class);
                        assertThat(context.getBean(Broker.class)).isSameAs(mine.stores.broker())
                                .isNotSameAs(stores.broker());
                        assertThat(context.getBean(QueueAdmin.class)).isSameAs(stores.admin());
                        assertThat(context.getBean(ResultBackend.class)).isSameAs(stores.results());
                        assertThat(context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Cy")
                                .get(WAIT)).isEqualTo("Hello Cy");
                    });
        }
    }

    @Test
    void workerCustomizersApplyInOrderAfterTheProperties() {
        runner.withPropertyValues("taskqueue.worker.concurrency=2")
                .withUserConfiguration(CustomizerConfiguration.class)
                .run(context -> {
                    Worker worker = worker(context);
                    assertThat(worker.id()).isEqualTo("custom-worker");
                    assertThat(worker.settings().concurrency()).isEqualTo(7);
                });
    }

    @Test
    void qualifiedConnectionFactoryIsPreferredOverThePrimaryOne() {
        runner.withPropertyValues("taskqueue.worker.enabled=false")
                .withUserConfiguration(TwoConnectionFactoriesConfiguration.class)
                .run(context -> {
                    assertThat(context.getBean(RedisConnections.class).description()).contains("database 3");
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Cy");
                    try (StatefulRedisConnection<String, String> db3 = SharedRedis.client().connect()) {
                        db3.sync().select(3);
                        assertThat(db3.sync().dbsize()).isPositive();
                    }
                    assertThat(SharedRedis.admin().sync().dbsize()).isZero();
                });
    }

    @Test
    void nonLettuceConnectionFactoryFailsWithAClearMessage() {
        runner.withBean(RedisConnectionFactory.class, () -> mock(RedisConnectionFactory.class))
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("taskqueue talks to Redis through Lettuce"));
    }

    static Worker worker(ApplicationContext context) {
        Worker worker = context.getBean(TaskQueueWorkerLifecycle.class).worker();
        assertThat(worker).isNotNull();
        return worker;
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        @Bean
        @Order(1)
        TaskQueueWorkerCustomizer first() {
            return settings -> settings.workerId("custom-worker").concurrency(5);
        }

        @Bean
        @Order(2)
        TaskQueueWorkerCustomizer second() {
            return settings -> settings.concurrency(7);
        }
    }

    /** An application's own TaskClient: ours behind a proxy, with settings of its own (no expiry). */
    @Configuration(proxyBeanMethods = false)
    static class WrappedClientConfiguration {

        @Bean
        TestTasks.Greeter greeter() {
            return new TestTasks.Greeter();
        }

        @Bean
        TaskClient taskClient(Broker broker, ResultBackend results, WorkflowStore workflows, QueueAdmin admin,
                TaskRegistry registry, MessageCodec codec) {
            TaskClient ours = new DefaultTaskClient(broker, results, workflows, admin, registry, codec,
                    new ClientSettings("default", ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE, Duration.ofHours(1)),
                    TaskEventListener.of(List.of()), Clock.systemUTC());
            return (TaskClient) Proxy.newProxyInstance(TaskClient.class.getClassLoader(),
                    new Class<?>[] { TaskClient.class }, (proxy, method, args) -> {
                        try {
                            return method.invoke(ours, args);
                        }
                        catch (InvocationTargetException ex) {
                            throw ex.getCause();
                        }
                    });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoConnectionFactoriesConfiguration {

        @Bean
        TestTasks.Greeter greeter() {
            return new TestTasks.Greeter();
        }

        @Bean
        @Primary
        LettuceConnectionFactory redisConnectionFactory() {
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", SharedRedis.port()));
        }

        @Bean
        @TaskQueueRedisConnectionFactory
        LettuceConnectionFactory taskQueueConnectionFactory() {
            RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration("127.0.0.1",
                    SharedRedis.port());
            configuration.setDatabase(3);
            return new LettuceConnectionFactory(configuration);
        }
    }

    /** A task with a sensitive parameter. */
    static class SignIn {

        @Task(name = "test.signIn")
        String signIn(String user, @Sensitive String password) {
            return user;
        }
    }
}

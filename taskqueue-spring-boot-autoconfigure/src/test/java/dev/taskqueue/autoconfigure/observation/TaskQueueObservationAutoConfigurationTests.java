package dev.taskqueue.autoconfigure.observation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.Span.Kind;
import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.B3Propagation;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.sampler.Sampler;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.observation.DefaultTaskExecutionObservationConvention;
import dev.taskqueue.observation.TaskExecutionContext;
import dev.taskqueue.observation.TaskExecutionObservationConvention;
import dev.taskqueue.observation.TaskQueueObservationInterceptor;
import dev.taskqueue.testing.SharedRedis;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tracing across a real Redis with Brave through Micrometer Tracing's bridge, wired as Boot wires it: the span of
 * a task's run is a child of the span that submitted it, because the trace context travels in the task headers.
 */
class TaskQueueObservationAutoConfigurationTests {

    private final List<MutableSpan> spans = new CopyOnWriteArrayList<>();

    private final List<String> observations = new CopyOnWriteArrayList<>();

    private Tracing tracing;

    private ApplicationContextRunner runner;

    @BeforeEach
    void tracing() {
        SharedRedis.flush();
        tracing = Tracing.newBuilder().currentTraceContext(ThreadLocalCurrentTraceContext.create())
                .propagationFactory(B3Propagation.newFactoryBuilder().injectFormat(B3Propagation.Format.SINGLE)
                        .build())
                .sampler(Sampler.ALWAYS_SAMPLE).addSpanHandler(new SpanHandler() {
                    @Override
                    public boolean end(TraceContext context, MutableSpan span, Cause cause) {
                        spans.add(span);
                        return true;
                    }
                }).build();
        Tracer tracer = new BraveTracer(tracing.tracer(),
                new BraveCurrentTraceContext(tracing.currentTraceContext()), new BraveBaggageManager());
        Propagator propagator = new BravePropagator(tracing);
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)))
                .observationHandler(new ObservationHandler<>() {
                    @Override
                    public void onStop(Observation.Context context) {
                        observations.add(context.getName());
                    }

                    @Override
                    public boolean supportsContext(Observation.Context context) {
                        return true;
                    }
                });
        runner = observedApplication(registry);
    }

    /** An application with taskqueue, its observations and a task bean, on the shared test Redis. */
    static ApplicationContextRunner observedApplication(ObservationRegistry registry) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        TaskQueueAutoConfiguration.class, TaskQueueObservationAutoConfiguration.class))
                .withPropertyValues(TestTasks.redis())
                .withBean(ObservationRegistry.class, () -> registry)
                .withBean(TestTasks.Greeter.class);
    }

    @AfterEach
    void closeTracing() {
        tracing.close();
    }

    @Test
    void theRunOfATaskIsAChildSpanOfItsSubmission() {
        runner.run(context -> {
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            handle.get(WAIT);
            await().atMost(WAIT).until(() -> spans.size() == 2);

            MutableSpan submit = span(Kind.PRODUCER);
            MutableSpan execute = span(Kind.CONSUMER);
            assertThat(submit.name()).isEqualTo("submit test.greet");
            assertThat(submit.tags()).containsEntry("taskqueue.task", "test.greet")
                    .containsEntry("taskqueue.queue", "default");
            assertThat(submit.remoteServiceName()).isEqualTo("taskqueue");
            assertThat(execute.name()).isEqualTo("execute test.greet");
            assertThat(execute.traceId()).isEqualTo(submit.traceId());
            assertThat(execute.parentId()).isEqualTo(submit.id());
            assertThat(execute.tags()).containsEntry("taskqueue.task.id", handle.id())
                    .containsEntry("taskqueue.task.attempt", "1").containsEntry("taskqueue.queue", "default");
            assertThat(observations).containsExactlyInAnyOrder("taskqueue.submit", "taskqueue.execute");
        });
    }

    @Test
    void theTraceContextTravelsInTheTaskHeaders() {
        runner.run(context -> {
            String b3 = context.getBean(TaskClient.class).submit(TestTasks.Greeter::header, "b3").get(WAIT);

            await().atMost(WAIT).until(() -> spans.size() == 2);
            assertThat(b3).isEqualTo(span(Kind.PRODUCER).traceId() + "-" + span(Kind.PRODUCER).id() + "-1");
        });
    }

    @Test
    void aBulkSubmissionIsOneSpanWithAChildPerTask() {
        runner.run(context -> {
            List<TaskHandle<?>> handles = context.getBean(TaskClient.class).submitAll(
                    List.of(TaskCall.of(TestTasks.Greeter::greet, "Ada"), TaskCall.of(TestTasks.Greeter::greet, "Bob")));
            for (TaskHandle<?> handle : handles) {
                handle.get(WAIT);
            }
            await().atMost(WAIT).until(() -> spans.size() == 3);

            MutableSpan submit = span(Kind.PRODUCER);
            assertThat(spans).filteredOn(span -> span.kind() == Kind.CONSUMER).hasSize(2)
                    .allSatisfy(execute -> assertThat(execute.parentId()).isEqualTo(submit.id()));
        });
    }

    @Test
    void theStepsOfAChainStayInOneTrace() {
        runner.run(context -> {
            context.getBean(TaskClient.class)
                    .submit(TaskCall.of(TestTasks.Greeter::greet, "Ada").then(TestTasks.Greeter::header)).get(WAIT);
            await().atMost(WAIT).until(() -> spans.stream().filter(span -> span.kind() == Kind.CONSUMER).count() == 2);

            MutableSpan first = spans.stream().filter(span -> span.name().equals("execute test.greet")).findFirst()
                    .orElseThrow();
            MutableSpan second = spans.stream().filter(span -> span.name().equals("execute test.header"))
                    .findFirst().orElseThrow();
            assertThat(spans).extracting(MutableSpan::traceId).containsOnly(first.traceId());
            MutableSpan secondsSubmit = spans.stream().filter(span -> span.id().equals(second.parentId()))
                    .findFirst().orElseThrow();
            assertThat(secondsSubmit.kind()).isEqualTo(Kind.PRODUCER);
            assertThat(secondsSubmit.parentId()).isEqualTo(first.id()); // submitted by the first step's run
        });
    }

    /** A chord's callback, declared only where a chord needs it (the others count the application's tasks). */
    public static class Joiner {

        @Task(name = "test.join")
        public String join(List<String> greetings) {
            return String.join(", ", greetings);
        }
    }

    @Test
    void theBodyOfAChordIsSubmittedByTheRunOfTheMemberThatCompletedIt() {
        runner.withBean(Joiner.class).run(context -> {
            context.getBean(TaskClient.class).submit(chord(group(TaskCall.of(TestTasks.Greeter::greet, "Ada"),
                    TaskCall.of(TestTasks.Greeter::greet, "Bob")), TaskCall.partial(Joiner::join))).get(WAIT);
            await().atMost(WAIT).until(() -> spans.stream().filter(span -> span.kind() == Kind.CONSUMER).count() == 3);

            List<String> members = spans.stream().filter(span -> span.name().equals("execute test.greet"))
                    .map(MutableSpan::id).toList();
            MutableSpan body = spans.stream().filter(span -> span.name().equals("execute test.join")).findFirst()
                    .orElseThrow();
            assertThat(spans).extracting(MutableSpan::traceId).containsOnly(body.traceId());
            MutableSpan bodysSubmit = spans.stream().filter(span -> span.id().equals(body.parentId())).findFirst()
                    .orElseThrow();
            assertThat(bodysSubmit.kind()).isEqualTo(Kind.PRODUCER);
            // started on another thread than the member's, once Redis recorded its report
            assertThat(bodysSubmit.parentId()).isIn(members);
        });
    }

    @Test
    void aFailedRunIsAnErrorSpan() {
        runner.run(context -> {
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));
            await().atMost(WAIT).until(() -> spans.size() == 2);

            assertThat(span(Kind.CONSUMER).error()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("expected failure");
            assertThat(span(Kind.CONSUMER).tags()).containsEntry("taskqueue.queue", "failing");
        });
    }

    @Test
    void aConventionBeanReplacesTheDefaultNames() {
        runner.withBean(TaskExecutionObservationConvention.class, () -> new TaskExecutionObservationConvention() {
            @Override
            public String getName() {
                return "shop.task";
            }

            @Override
            public String getContextualName(TaskExecutionContext context) {
                return "run " + context.getTask().taskName();
            }
        }).run(context -> {
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);
            await().atMost(WAIT).until(() -> spans.size() == 2);

            assertThat(span(Kind.CONSUMER).name()).isEqualTo("run test.greet");
            assertThat(observations).contains("shop.task");
        });
    }

    @Test
    void theInterceptorRunsBeforeTheApplicationsOwn() {
        runner.withBean(TaskInterceptor.class, () -> new TaskInterceptor() {
        }).run(context -> {
            TaskQueueObservationInterceptor interceptor = context.getBean(TaskQueueObservationInterceptor.class);

            assertThat(context.getBeanProvider(TaskInterceptor.class).orderedStream().findFirst())
                    .containsSame(interceptor);
            assertThat(DefaultTaskExecutionObservationConvention.INSTANCE.getName()).isEqualTo("taskqueue.execute");
        });
    }

    @Test
    void nothingIsObservedWithoutAnObservationRegistry() {
        ApplicationContextRunner withoutRegistry = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        TaskQueueAutoConfiguration.class, TaskQueueObservationAutoConfiguration.class))
                .withPropertyValues(TestTasks.redis()).withPropertyValues("taskqueue.worker.enabled=false");
        withoutRegistry.run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(TaskQueueObservationInterceptor.class));
        withoutRegistry.withClassLoader(new FilteredClassLoader("io.micrometer.observation"))
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(TaskQueueObservationInterceptor.class));
    }

    private MutableSpan span(Kind kind) {
        return spans.stream().filter(span -> span.kind() == kind).findFirst().orElseThrow();
    }
}

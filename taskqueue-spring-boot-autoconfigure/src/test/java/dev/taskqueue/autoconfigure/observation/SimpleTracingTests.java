package dev.taskqueue.autoconfigure.observation;

import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.testing.SharedRedis;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.micrometer.tracing.test.simple.SpansAssert;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The same parent-child relation as the Brave tests, checked with Micrometer Tracing's own test support
 * ({@link SimpleTracer}, {@link SpansAssert}): what any tracer bridge gets from taskqueue's observations.
 */
class SimpleTracingTests {

    private final SimpleTracer tracer = new SimpleTracer();

    private ApplicationContextRunner runner;

    @BeforeEach
    void tracing() {
        SharedRedis.flush();
        Propagator propagator = new TraceparentPropagator(tracer);
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
        runner = TaskQueueObservationAutoConfigurationTests.observedApplication(registry);
    }

    @Test
    void theRunIsAConsumerSpanChildOfTheProducerSpanThatSubmittedIt() {
        runner.run(context -> {
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            handle.get(WAIT);
            await().atMost(WAIT).until(() -> tracer.getSpans().size() == 2);

            SpansAssert.assertThat(tracer.getSpans()).haveSameTraceId()
                    .hasASpanWithName("submit test.greet", span -> span.hasKindEqualTo(Span.Kind.PRODUCER)
                            .hasTag("taskqueue.task", "test.greet").hasTag("taskqueue.queue", "default")
                            .hasRemoteServiceNameEqualTo("taskqueue"))
                    .hasASpanWithName("execute test.greet", span -> span.hasKindEqualTo(Span.Kind.CONSUMER)
                            .hasTag("taskqueue.task.id", handle.id()).hasTag("taskqueue.task.attempt", "1"));
            String submitSpanId = tracer.getSpans().stream().filter(span -> span.getKind() == Span.Kind.PRODUCER)
                    .findFirst().orElseThrow().getSpanId();
            assertThat(tracer.getSpans()).filteredOn(span -> span.getKind() == Span.Kind.CONSUMER).singleElement()
                    .satisfies(execute -> assertThat(execute.getParentId()).isEqualTo(submitSpanId));
        });
    }

    /** W3C {@code traceparent}, the way tracer bridges propagate it, for {@link SimpleTracer}'s contexts. */
    private static final class TraceparentPropagator implements Propagator {

        private final SimpleTracer tracer;

        TraceparentPropagator(SimpleTracer tracer) {
            this.tracer = tracer;
        }

        @Override
        public List<String> fields() {
            return List.of("traceparent");
        }

        @Override
        public <C> void inject(TraceContext context, @Nullable C carrier, Setter<C> setter) {
            setter.set(carrier, "traceparent", "00-" + context.traceId() + "-" + context.spanId() + "-01");
        }

        @Override
        public <C> Span.Builder extract(C carrier, Getter<C> getter) {
            String traceparent = getter.get(carrier, "traceparent");
            if (traceparent == null) {
                return tracer.spanBuilder();
            }
            String[] parts = traceparent.split("-");
            return tracer.spanBuilder().setParent(
                    tracer.traceContextBuilder().traceId(parts[1]).spanId(parts[2]).sampled(true).build());
        }
    }
}
